"""CJK font files for the UI and the receipts: one plain font file per language.

Debian's ``fonts-noto-cjk`` ships Noto Sans CJK as a collection (.ttc) whose first face is the
Japanese one, and Kivy opens only the first face of a collection. So the Traditional (TC) and
Simplified (SC) faces are extracted once with fontTools into a cache directory, checked by their
PostScript name rather than by their index, and reused by every later start. When Noto CJK is
missing, ``fonts-wqy-microhei`` (one face, Simplified and Traditional glyphs) is used instead.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGE = "fonts-noto-cjk"
FALLBACK_PACKAGE = "fonts-wqy-microhei"
NOTO_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
)
WQY_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
)
# Language (BCP 47) → Noto CJK region; English text is covered by the CJK faces' Latin glyphs.
_REGION = {"zh-Hant": "tc", "zh-Hans": "sc", "en": "tc"}
# The usual face index inside NotoSansCJK-*.ttc; only a hint, the name table decides.
_INDEX_HINT = {"sc": 2, "tc": 3}

_lock = threading.Lock()
_memo: dict[tuple[str, bool, str], Path] = {}


class FontNotFound(RuntimeError):
    """No CJK font is installed (the message names the Debian package to install)."""


def default_cache_dir() -> Path:
    """Where extracted faces live when the caller gives no directory (XDG cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "hk-topup-kiosk" / "fonts"


def cache_dir_for(settings) -> Path:
    """The font cache inside the kiosk's data directory (``<data_dir>/fonts``)."""
    return settings.resolve("fonts")


def font_path(language: str, bold: bool = False, cache_dir: Path | None = None) -> Path:
    """A font file that renders *language* (zh-Hant, zh-Hans, en), extracting it on first use.

    Args:
        language: a BCP 47 code of the kiosk; unknown codes get the Traditional face.
        bold: the bold weight (falls back to regular when no bold file is installed).
        cache_dir: where extracted faces are kept; default ``default_cache_dir()``.
    Raises:
        FontNotFound: naming ``fonts-noto-cjk`` (and the fallback package) to install.
    """
    region = _REGION.get(language, "tc")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key = (region, bold, str(cache))
    with _lock:
        found = _memo.get(key)
        if found is None:
            found = _locate(region, bold, cache)
            _memo[key] = found
    return found


def _locate(region: str, bold: bool, cache: Path) -> Path:
    weight = "Bold" if bold else "Regular"
    target = cache / f"NotoSansCJK{region}-{weight}.otf"
    if _looks_like_font(target):
        return target
    collection = _find_collection(weight) or (_find_collection("Regular") if bold else None)
    if collection is not None:
        face = _extract(collection, region, target)
        if face is not None:
            return face
    for candidate in WQY_FILES:
        if candidate.is_file():
            log.warning("Noto Sans CJK not found; using %s", candidate)
            return candidate
    raise FontNotFound(
        f"no CJK font found: install the Debian package {PACKAGE} "
        f"(or {FALLBACK_PACKAGE}); looked in {', '.join(str(d) for d in NOTO_DIRS)}"
    )


def _looks_like_font(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) in (b"OTTO", b"\x00\x01\x00\x00")
    except OSError:
        return False


def _find_collection(weight: str) -> Path | None:
    for directory in NOTO_DIRS:
        candidate = directory / f"NotoSansCJK-{weight}.ttc"
        if candidate.is_file():
            return candidate
    return None


def _extract(collection: Path, region: str, target: Path) -> Path | None:
    """Save the *region* face of *collection* as *target* (atomically); None if it has none."""
    from fontTools.ttLib import TTCollection  # imported here: only the first start pays for it

    fonts = TTCollection(str(collection), lazy=True).fonts
    hint = _INDEX_HINT[region]
    order = sorted(range(len(fonts)), key=lambda i: i != hint)
    wanted = f"NotoSansCJK{region}-"
    for index in order:
        name = fonts[index]["name"].getDebugName(6) or ""
        if name.startswith(wanted):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            os.close(fd)
            try:
                fonts[index].save(tmp)
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            log.info("extracted %s (face %d of %s) to %s", name, index, collection, target)
            return target
    log.warning("%s has no %s face", collection, wanted)
    return None
