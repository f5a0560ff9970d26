"""CJK font files for the UI and the receipts: one plain font file per language.

Debian's ``fonts-noto-cjk`` ships Noto Sans CJK as a collection (.ttc) whose first face is the
Japanese one, and Kivy opens only the first face of a collection. So the Traditional (TC) and
Simplified (SC) faces are extracted once with fontTools into a cache directory, checked by their
PostScript name rather than by their index, and reused by every later start. When Noto CJK is
missing, ``fonts-wqy-microhei`` (one face, Simplified and Traditional glyphs) is used instead.

Flat faces. Kivy opens one FreeType face per text size and weight, and a Noto CJK face loads its
CFF subroutines into memory each time: about 2.5 MB per size, 7 sizes at the first frame, dozens
over a day of both scripts. ``prepare`` writes a "flat" copy of each face, its subroutines inlined
(the glyph outlines are unchanged, so every pixel is the same), which costs about 0.7 MB per size.
That takes some 20 s of CPU per face, so it is done once at installation (``kiosk fonts``, run by
``make setup``) and never on the way to the first frame; ``font_path`` uses a flat face when one
is prepared, here or in the user's shared cache, and the plain face otherwise.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
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
REGIONS = ("tc", "sc")
WEIGHTS = ("Regular", "Bold")
FLAT_SUFFIX = ".flat.otf"

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

    A prepared flat face (``prepare``) in *cache_dir* or the shared cache comes first.

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
    for prepared in (cache, default_cache_dir()):
        flat = _flat_name(prepared / _face_name(region, bold))
        if _looks_like_font(flat):
            return flat
    return _plain(region, bold, cache)


def _face_name(region: str, bold: bool) -> str:
    return f"NotoSansCJK{region}-{WEIGHTS[bold]}.otf"


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


def is_flat(path: Path) -> bool:
    """Whether *path* is a prepared flat face (see the module's docstring)."""
    return Path(path).name.endswith(FLAT_SUFFIX)


def _flat_name(face: Path) -> Path:
    return face.with_name(face.name.removesuffix(".otf") + FLAT_SUFFIX)


def prepare(cache_dir: Path | None = None, jobs: int = 2,
            progress: Callable[[Path], None] | None = None) -> list[Path]:
    """Write the flat face of every region and weight into *cache_dir* (default: the shared cache).

    Faces already prepared are kept; the work is spread over *jobs* processes (each needs about
    400 MB while it works). Returns the flat faces, or the plain ones where a face cannot be
    flattened (the TrueType fallback font has no subroutines to inline).

    Raises:
        FontNotFound: no CJK font is installed.
    """
    from concurrent.futures import ProcessPoolExecutor

    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    plain = [_plain(region, bold, cache) for region in REGIONS for bold in (False, True)]
    todo = [p for p in plain if _flattenable(p, cache) and not _looks_like_font(_flat_name(p))]
    if todo:
        with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
            for made in pool.map(flatten, todo, [_flat_name(p) for p in todo]):
                if progress is not None:
                    progress(made)
    with _lock:
        _memo.clear()  # later look-ups in this process find the flat faces
    return [_flat_name(p) if _looks_like_font(_flat_name(p)) else p for p in plain]


def _plain(region: str, bold: bool, cache: Path) -> Path:
    """The plain face in *cache*, extracted from the collection if needed; or the fallback font."""
    target = cache / _face_name(region, bold)
    if _looks_like_font(target):
        return target
    collection = _find_collection(WEIGHTS[bold]) or (_find_collection("Regular") if bold else None)
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


def _flattenable(face: Path, cache: Path) -> bool:
    return face.parent == cache and face.suffix == ".otf" and not is_flat(face)


def flatten(source: Path, target: Path) -> Path:
    """Save *source* with its CFF subroutines inlined as *target* (atomically); returns *target*.

    Only the 'CFF ' table changes; every other table is copied as it is.
    """
    from fontTools.ttLib import TTFont  # imported here: only the preparation pays for it

    font = TTFont(str(source), lazy=True)
    font["CFF "].cff.desubroutinize()
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(fd)
    try:
        font.save(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    log.info("flattened %s to %s", source.name, target)
    return target
