"""Start-up: process start to the attract screen's first frame, beside a bare Kivy app.

Alternates the two, median of N each, so machine noise hits both alike; reports the ratio and
both peak RSS figures (budget: ratio ≤ 1.25, kiosk RSS ≤ bare + 30 MB).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from bench.procs import ROOT, free_port, launch, python
from bench.results import Figure, median
from kiosk.settings import load


def demo_profile(tmp: Path) -> Path:
    """The demo profile (config/demo.toml, as ``make run``) on a fresh data dir and a free port
    for its backend simulator, as a newcomer's first start."""
    text = (ROOT / "config" / "demo.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^data_dir = .*$', f'data_dir = "{tmp}"', text)
    text = re.sub(r'(?m)^url = "http://127\.0\.0\.1:\d+"',
                  f'url = "http://127.0.0.1:{free_port()}"', text)
    profile = tmp / "bench.toml"
    profile.write_text(text, encoding="utf-8")
    return profile


def figures(runs: int = 5) -> list[Figure]:
    bare, same, kiosk = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        profile = demo_profile(Path(tmp))
        display = load(profile).display
        window = f"{display.width_px}x{display.height_px}"
        launch([python(), "-m", "app", "run", "--config", str(profile)])  # warm caches, fonts
        for _ in range(runs):
            bare.append(launch([python(), str(ROOT / "bench" / "bare_kivy.py")]))
            same.append(launch([python(), str(ROOT / "bench" / "bare_kivy.py")],
                               BENCH_WINDOW=window))
            kiosk.append(launch([python(), "-m", "app", "run", "--config", str(profile)]))
    first = {k: median(x.first_frame_s for x in v) for k, v in
             (("bare", bare), ("same", same), ("kiosk", kiosk))}
    rss = {k: median(x.peak_rss_mb for x in v) for k, v in
           (("bare", bare), ("same", same), ("kiosk", kiosk))}
    ready = [x.ready_s for x in kiosk if x.ready_s is not None]
    return [
        Figure("startup: bare Kivy first frame", None, first["bare"], "s"),
        Figure("startup: kiosk run first frame", None, first["kiosk"], "s"),
        Figure("startup: kiosk run ready to sell (core attached)", None,
               median(ready) if ready else float("nan"), "s"),
        Figure("startup: kiosk / bare ratio", 1.25, first["kiosk"] / first["bare"], "ratio"),
        Figure("startup: bare Kivy peak RSS", None, rss["bare"], "MB"),
        Figure("startup: kiosk peak RSS over bare", 30.0, rss["kiosk"] - rss["bare"], "MB"),
        # The same bare app in the kiosk's window (its size, no multisampling): reported only.
        Figure(f"startup: bare Kivy at the kiosk's window ({window}) first frame", None,
               first["same"], "s"),
        Figure("startup: kiosk / bare-at-kiosk-window ratio", None,
               first["kiosk"] / first["same"], "ratio"),
        Figure("startup: kiosk peak RSS over bare-at-kiosk-window", None,
               rss["kiosk"] - rss["same"], "MB"),
    ]


if __name__ == "__main__":
    from bench.results import table

    print(table(figures()))
