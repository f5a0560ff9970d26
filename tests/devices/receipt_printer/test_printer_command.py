"""The factory and ``kiosk printer status|test-print``: JSON out, exit 1 when it cannot print."""

import json

import pytest
from PIL import Image

from app.cli import main
from app.simulators import printer as build_printer
from devices.interfaces import DeviceState
from devices.receipt_printer.driver import SerialReceiptPrinter
from kiosk.settings import load

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("kiosk-data")


def config(tmp_path, data_dir, kind="simulator", link="tcp"):
    path = tmp_path / "site.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{data_dir}"\n\n'
                    f'[devices.printer]\nkind = "{kind}"\nlink = "{link}"\nport = "/dev/null-printer"\n')
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_factory_none_gives_no_device(tmp_path, data_dir):
    handle = build_printer(load(config(tmp_path, data_dir, kind="none")))
    assert handle.device is None and handle.simulator is None
    handle.close()


@pytest.mark.parametrize("link", ["pty", "tcp"])
def test_factory_simulator_connects_the_real_driver(tmp_path, data_dir, link):
    handle = build_printer(load(config(tmp_path, data_dir, link=link)))
    try:
        assert isinstance(handle.device, SerialReceiptPrinter)
        assert handle.device.wait_ready(3.0)
        assert handle.device.status().state is DeviceState.ONLINE
    finally:
        handle.close()
    assert handle.simulator.port is not None


def test_status_of_the_configured_simulator(tmp_path, data_dir, capsys):
    code, out = run(capsys, "printer", "status", "--timeout-s", "30",
                    "--config", config(tmp_path, data_dir))
    assert code == 0, out
    assert out == {"state": "online", "paper": "ok", "cover_open": False, "detail": ""}


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans", "en"])
def test_test_print_saves_a_receipt_in_the_language(tmp_path, data_dir, capsys, lang):
    # a generous wait: on a loaded 2-core machine the simulator's first status can be slow
    code, out = run(capsys, "printer", "test-print", "--lang", lang, "--timeout-s", "30",
                    "--config", config(tmp_path, data_dir))
    assert code == 0 and out["printed"] is True and out["language"] == lang, out
    image = Image.open(out["saved"]).convert("L")
    assert image.width == 576 and image.getextrema()[0] == 0


def test_port_that_does_not_exist_exits_1(tmp_path, data_dir, capsys):
    code, out = run(capsys, "printer", "status", "--port", str(tmp_path / "ttyUSB7"),
                    "--timeout-s", "0.3", "--config", config(tmp_path, data_dir))
    assert code == 1
    assert out["state"] == "no_device" and out["paper"] == "unknown"


def test_paper_out_exits_1_and_test_print_prints_nothing(tmp_path, data_dir, capsys, simulator):
    simulator.set_paper("out")
    port = simulator.start("tcp")
    cfg = config(tmp_path, data_dir)
    code, out = run(capsys, "printer", "status", "--port", port, "--config", cfg)
    assert code == 1 and out["paper"] == "out"
    code, out = run(capsys, "printer", "test-print", "--port", port, "--config", cfg)
    assert code == 1 and out["printed"] is False and out["error"].startswith("PaperOut")
    assert simulator.printed == []
