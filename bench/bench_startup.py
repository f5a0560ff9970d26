"""Start-up: process start to the attract screen's first frame, beside a bare Kivy app.

Alternates the two, median of N each, so machine noise hits both alike; reports the ratio and
both peak RSS figures (budget: ratio ≤ 1.5, kiosk RSS ≤ bare + 40 MB).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from bench.procs import ROOT, free_port, launch, python
from bench.results import Figure, median


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
    bare, kiosk = [], []
    with tempfile.TemporaryDirectory() as tmp:
        profile = demo_profile(Path(tmp))
        launch([python(), "-m", "kiosk", "run", "--config", str(profile)])  # warm caches, fonts
        for _ in range(runs):
            bare.append(launch([python(), str(ROOT / "bench" / "bare_kivy.py")]))
            kiosk.append(launch([python(), "-m", "kiosk", "run", "--config", str(profile)]))
    bare_s = median(x.first_frame_s for x in bare)
    kiosk_s = median(x.first_frame_s for x in kiosk)
    bare_rss = median(x.peak_rss_mb for x in bare)
    kiosk_rss = median(x.peak_rss_mb for x in kiosk)
    ready = [x.ready_s for x in kiosk if x.ready_s is not None]
    return [
        Figure("startup: bare Kivy first frame", None, bare_s, "s"),
        Figure("startup: kiosk run first frame", None, kiosk_s, "s"),
        Figure("startup: kiosk run ready to sell (core attached)", None,
               median(ready) if ready else float("nan"), "s"),
        Figure("startup: kiosk / bare ratio", 1.5, kiosk_s / bare_s, "ratio"),
        Figure("startup: bare Kivy peak RSS", None, bare_rss, "MB"),
        Figure("startup: kiosk peak RSS over bare", 40.0, kiosk_rss - bare_rss, "MB"),
    ]


if __name__ == "__main__":
    from bench.results import table

    print(table(figures()))
