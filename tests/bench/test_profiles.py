"""The bench's own profiles pass the settings rules: a profile the kiosk would refuse fails the
bench part at its start (it did once, when the rules came after the profiles)."""

from bench.bench_transactions import QR_VALID_S, profile
from bench.ui_session import bench_settings
from kiosk.settings import load


def test_the_transactions_profile_loads(tmp_path):
    settings = load(profile(tmp_path, "http://127.0.0.1:9"))
    assert settings.payments.qr_expires_in_s == QR_VALID_S


def test_the_soak_profile_loads_with_its_qr_validity(tmp_path):
    settings = bench_settings("http://127.0.0.1:9", str(tmp_path),
                              {"payments.qr_expires_in_s": QR_VALID_S})
    assert settings.payments.poll_interval_s == 0.1
