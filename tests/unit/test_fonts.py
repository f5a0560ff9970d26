"""CJK font files: the right face extracted once, reused, and a clear error when none exists."""

import time

import pytest
from fontTools.ttLib import TTFont
from PIL import ImageFont

from kiosk import fonts

NOTO = fonts._find_collection("Regular")
needs_noto = pytest.mark.skipif(NOTO is None, reason="fonts-noto-cjk is not installed")


@pytest.fixture(autouse=True)
def fresh_memo():
    fonts._memo.clear()
    yield
    fonts._memo.clear()


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("fonts")


@needs_noto
@pytest.mark.parametrize("language, family", [
    ("zh-Hant", "Noto Sans CJK TC"), ("zh-Hans", "Noto Sans CJK SC"), ("en", "Noto Sans CJK TC"),
])
def test_each_language_gets_its_own_face_not_the_japanese_one(cache, language, family):
    """GIVEN the system .ttc WHEN a language's font is asked for THEN a file of that face comes back."""
    path = fonts.font_path(language, cache_dir=cache)
    assert path.parent == cache
    assert ImageFont.truetype(str(path), 24).getname() == (family, "Regular")


@needs_noto
def test_extracted_face_has_traditional_and_simplified_glyphs(cache):
    """GIVEN the TC and SC files WHEN their character maps are read THEN the receipt's words are there."""
    for language, word in (("zh-Hant", "繁體收據"), ("zh-Hans", "简体收据")):
        cmap = TTFont(str(fonts.font_path(language, cache_dir=cache)), lazy=True).getBestCmap()
        assert all(ord(ch) in cmap for ch in word + "HK$12.30")


@needs_noto
def test_bold_is_a_bold_face(cache):
    path = fonts.font_path("zh-Hant", bold=True, cache_dir=cache)
    assert ImageFont.truetype(str(path), 24).getname() == ("Noto Sans CJK TC", "Bold")


@needs_noto
def test_second_start_reuses_the_extracted_file_and_is_fast(cache):
    """GIVEN a face extracted earlier WHEN a new process (empty memo) asks again THEN no re-extraction."""
    path = fonts.font_path("zh-Hant", cache_dir=cache)
    mtime = path.stat().st_mtime_ns
    fonts._memo.clear()
    start = time.perf_counter()
    assert fonts.font_path("zh-Hant", cache_dir=cache) == path
    assert time.perf_counter() - start < 0.05
    assert path.stat().st_mtime_ns == mtime


@needs_noto
def test_face_is_chosen_by_name_not_by_index(tmp_path, monkeypatch):
    """GIVEN a collection whose TC face is not where expected WHEN extracting THEN the name table decides."""
    monkeypatch.setitem(fonts._INDEX_HINT, "tc", 0)  # index 0 is the Japanese face
    path = fonts.font_path("zh-Hant", cache_dir=tmp_path)
    assert ImageFont.truetype(str(path), 24).getname()[0] == "Noto Sans CJK TC"


def test_no_cjk_font_names_the_debian_package(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "NOTO_DIRS", (tmp_path / "none",))
    monkeypatch.setattr(fonts, "WQY_FILES", (tmp_path / "none.ttc",))
    with pytest.raises(fonts.FontNotFound, match="fonts-noto-cjk"):
        fonts.font_path("zh-Hant", cache_dir=tmp_path / "cache")


def test_falls_back_to_wqy_microhei(tmp_path, monkeypatch):
    wqy = tmp_path / "wqy-microhei.ttc"
    wqy.write_bytes(b"ttcf")
    monkeypatch.setattr(fonts, "NOTO_DIRS", (tmp_path / "none",))
    monkeypatch.setattr(fonts, "WQY_FILES", (wqy,))
    assert fonts.font_path("zh-Hans", cache_dir=tmp_path / "cache") == wqy


def test_cache_dir_for_settings_is_under_the_data_dir(tmp_path):
    from kiosk.settings import load
    settings = load(None, {"kiosk.data_dir": str(tmp_path)})
    assert fonts.cache_dir_for(settings) == tmp_path / "fonts"
