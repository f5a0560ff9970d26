"""CJK font files: the right face extracted once, reused, and a clear error when none exists."""

import time

import pytest
from fontTools.ttLib import TTFont
from PIL import ImageFont

from kiosk import fonts

NOTO = fonts._find_collection("Regular")
needs_noto = pytest.mark.skipif(NOTO is None, reason="fonts-noto-cjk is not installed")


@pytest.fixture(autouse=True)
def fresh_memo(tmp_path_factory, monkeypatch):
    """An empty memo, and a shared cache of our own: faces prepared on this machine stay out."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
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


# --- flat faces -------------------------------------------------------------------------------

SAMPLE = "繁體收據简体收据HK$12.30 "


@pytest.fixture(scope="module")
def tiny_noto(tmp_path_factory):
    """Directory with NotoSansCJK-{Regular,Bold}.ttc: the real TC and SC faces cut to SAMPLE's
    glyphs, subroutines kept, so flattening takes milliseconds instead of 20 s per face."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    if NOTO is None:
        pytest.skip("fonts-noto-cjk is not installed")
    out = tmp_path_factory.mktemp("noto")
    for weight in fonts.WEIGHTS:
        source = fonts._find_collection(weight) or NOTO
        faces = []
        for face in TTCollection(str(source), lazy=True).fonts:
            if (face["name"].getDebugName(6) or "").startswith(("NotoSansCJKtc-", "NotoSansCJKsc-")):
                options = subset.Options()
                options.name_IDs, options.layout_features = ["*"], ["*"]
                cut = subset.Subsetter(options)
                cut.populate(text=SAMPLE)
                cut.subset(face)
                faces.append(face)
        collection = TTCollection()
        collection.fonts = faces
        collection.save(str(out / f"NotoSansCJK-{weight}.ttc"))
    return out


@pytest.fixture
def on_tiny_noto(tiny_noto, monkeypatch):
    monkeypatch.setattr(fonts, "NOTO_DIRS", (tiny_noto,))


def _subroutines(path) -> int:
    cff = TTFont(str(path))["CFF "].cff
    top = cff.topDictIndex[0]
    privates = [fd.Private for fd in top.FDArray] if hasattr(top, "FDArray") else [top.Private]
    return len(cff.GlobalSubrs) + sum(len(getattr(p, "Subrs", None) or ()) for p in privates)


def _pixels(path, size=40):
    from PIL import Image, ImageDraw
    image = Image.new("L", (900, 80), 255)
    ImageDraw.Draw(image).text((4, 4), SAMPLE, font=ImageFont.truetype(str(path), size), fill=0)
    return image.tobytes()


def test_flatten_inlines_every_subroutine_and_draws_the_same_pixels(on_tiny_noto, tmp_path):
    """GIVEN a face with subroutines WHEN flattened THEN none is left and each glyph is unchanged."""
    plain = fonts.font_path("zh-Hant", cache_dir=tmp_path)
    assert _subroutines(plain) > 0
    flat = fonts.flatten(plain, tmp_path / "flat.otf")
    assert _subroutines(flat) == 0
    for size in (24, 40, 76):
        assert _pixels(flat, size) == _pixels(plain, size)
    assert ImageFont.truetype(str(flat), 24).getname() == ("Noto Sans CJK TC", "Regular")
    assert not list(tmp_path.glob("*.tmp"))


def test_prepare_flattens_all_four_faces_once(on_tiny_noto, tmp_path):
    """GIVEN no flat faces WHEN prepared twice THEN four flat faces, the second time untouched."""
    made = []
    faces = fonts.prepare(tmp_path, jobs=2, progress=made.append)
    assert sorted(f.name for f in faces) == sorted(
        f"NotoSansCJK{r}-{w}{fonts.FLAT_SUFFIX}" for r in ("tc", "sc") for w in fonts.WEIGHTS)
    assert sorted(made) == sorted(faces) and all(_subroutines(f) == 0 for f in faces)
    stamps = {f: f.stat().st_mtime_ns for f in faces}
    again = []
    assert fonts.prepare(tmp_path, progress=again.append) == faces
    assert again == [] and {f: f.stat().st_mtime_ns for f in faces} == stamps


def test_font_path_prefers_a_flat_face_here_then_in_the_shared_cache(on_tiny_noto, tmp_path):
    """GIVEN flat faces in the shared cache only WHEN a data dir's font is asked THEN the shared
    flat face; once the data dir has its own, that one; with none, the plain face."""
    here = tmp_path / "data" / "fonts"
    assert not fonts.is_flat(fonts.font_path("zh-Hans", cache_dir=here))
    shared = fonts.prepare(None)
    fonts._memo.clear()
    assert fonts.font_path("zh-Hans", cache_dir=here) in shared
    fonts.prepare(here)
    assert fonts.font_path("zh-Hans", bold=True, cache_dir=here) == (
        here / f"NotoSansCJKsc-Bold{fonts.FLAT_SUFFIX}")


def test_fallback_font_is_not_flattened(tmp_path, monkeypatch):
    """GIVEN only the TrueType fallback WHEN prepared THEN it is returned as it is."""
    wqy = tmp_path / "wqy-microhei.ttc"
    wqy.write_bytes(b"ttcf")
    monkeypatch.setattr(fonts, "NOTO_DIRS", (tmp_path / "none",))
    monkeypatch.setattr(fonts, "WQY_FILES", (wqy,))
    assert fonts.prepare(tmp_path / "cache") == [wqy] * 4


def test_kiosk_fonts_command_prepares_the_profile_data_dir(on_tiny_noto, tmp_path, capsys):
    from app import cli
    profile = tmp_path / "site.toml"
    profile.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    assert cli.main(["fonts", "--config", str(profile), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("flattened ") == 4 and "fonts ready" in out
    assert len(list((tmp_path / "data" / "fonts").glob(f"*{fonts.FLAT_SUFFIX}"))) == 4


def test_doctor_warns_until_the_faces_are_flat(on_tiny_noto, tmp_path):
    from kiosk.maintenance.checks import OK, WARN, check_font
    from kiosk.settings import load
    settings = load(None, {"kiosk.data_dir": str(tmp_path)})
    before = check_font(settings)
    assert before.level == WARN and "kiosk fonts" in before.message
    fonts.prepare(fonts.cache_dir_for(settings))
    fonts._memo.clear()
    assert check_font(settings).level == OK
