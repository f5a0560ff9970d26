"""Customer text: every message the code asks for exists, filled, in all three catalogues."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.settings import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
# _("key"…), tr("key"…), translate("key"…): a whole literal, or a literal prefix + a run-time code.
_CALL = re.compile(r"""\b(?:_|tr|translate)\(\s*(["'])([a-z_]+(?:\.[A-Za-z_]+)*\.?)\1\s*([,)+])""")
SIMPLIFIED_ONLY = set("这们请选择号码户费扫数据时间钱银话电机为后过网务线项账确认让还没")
TRADITIONAL_ONLY = set("這們請選擇號碼戶費掃數據時間錢銀話電機為後過網務線項賬確認讓還沒")


def _sources():
    for folder in ("kiosk", "screens"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".kv") and "__pycache__" not in path.parts:
                yield path


def _used():
    whole, prefixes = set(), set()
    for path in _sources():
        for _q, key, after in _CALL.findall(path.read_text(encoding="utf-8")):
            (prefixes if after == "+" else whole).add(key)
    return whole, prefixes


@pytest.fixture(scope="module")
def catalogues():
    return {lang: i18n.load_messages(lang) for lang in LANGUAGES}


def test_every_message_used_in_code_or_kv_is_in_every_catalogue(catalogues):
    whole, _ = _used()
    needed = whole | i18n.dynamic_msgids()
    assert len(needed) > 50
    for lang, messages in catalogues.items():
        missing = sorted(k for k in needed if not messages.get(k, "").strip())
        assert missing == [], f"{lang} catalogue lacks {missing}"


def test_every_run_time_prefix_is_a_known_family():
    _, prefixes = _used()
    families = {pattern.split("{}")[0] for pattern in i18n.DYNAMIC_FAMILIES}
    assert prefixes, "the scan found no run-time message ids at all"
    assert sorted(p for p in prefixes if p not in families) == []


def test_catalogues_hold_the_same_ids_with_the_same_placeholders(catalogues):
    ids = {lang: set(m) for lang, m in catalogues.items()}
    assert ids["zh-Hant"] == ids["zh-Hans"] == ids["en"]
    fields = string.Formatter()
    for key in ids["en"]:
        names = {lang: {f for _, f, _, _ in fields.parse(m[key]) if f} for lang, m in catalogues.items()}
        assert names["zh-Hant"] == names["zh-Hans"] == names["en"], key


def test_traditional_and_simplified_are_not_mixed_up(catalogues):
    hant = "".join(catalogues["zh-Hant"].values())
    hans = "".join(catalogues["zh-Hans"].values())
    assert sorted(set(hant) & SIMPLIFIED_ONLY) == []
    assert sorted(set(hans) & TRADITIONAL_ONLY) == []
    # Octopus is a payment method now: each script writes its own name for it
    assert "八达通" not in hant and "八達通" not in hans
    assert catalogues["zh-Hant"]["method.octopus"].startswith("八達通")
    assert catalogues["zh-Hans"]["method.octopus"].startswith("八达通")


def test_translate_fills_placeholders_in_each_language():
    assert i18n.translate("card.expires", "zh-Hant", date="2026年12月1日") == "有效期至 2026年12月1日"
    assert i18n.translate("qr.title", "en", wallet="FPS") == "Scan with FPS to pay"
    assert i18n.translate("lookup_failed.suspended.title", "zh-Hans") == "这个号码已暂停服务"


def test_missing_message_falls_back_to_english_then_the_id(tmp_path):
    t = i18n.Translator("zh-Hant", {"a": "甲"}, fallback=lambda: {"b": "Bee"})
    assert (t("a"), t("b"), t("c")) == ("甲", "Bee", "c")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        i18n.translator("fr")


def _copy_catalogue(tmp_path, language="en"):
    import shutil

    dest = i18n.catalogue_path(language, tmp_path)
    dest.parent.mkdir(parents=True)
    shutil.copy(i18n.catalogue_path(language), dest)
    return dest


def test_compiled_catalogue_says_what_the_po_says(tmp_path):
    from babel.messages.pofile import read_po

    po = _copy_catalogue(tmp_path)
    with open(po, "rb") as f:
        expected = {m.id: m.string for m in read_po(f) if m.id and m.string}
    assert i18n.load_messages("en", tmp_path) == expected
    assert po.with_suffix(".mo").exists()


def test_an_edited_po_is_compiled_again(tmp_path):
    import os

    po = _copy_catalogue(tmp_path)
    i18n.load_messages("en", tmp_path)
    text = po.read_text(encoding="utf-8").replace('"Scan with {wallet} to pay"', '"Scan now with {wallet}"')
    po.write_text(text, encoding="utf-8")
    mo = po.with_suffix(".mo")
    os.utime(po, ns=(mo.stat().st_mtime_ns + 1, mo.stat().st_mtime_ns + 1))
    assert i18n.load_messages("en", tmp_path)["qr.title"] == "Scan now with {wallet}"


def test_a_read_only_catalogue_folder_still_reads_the_po(tmp_path, monkeypatch):
    _copy_catalogue(tmp_path)

    def refuse(catalog, mo):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(i18n, "_write_mo", refuse)
    assert i18n.load_messages("en", tmp_path)["qr.title"] == "Scan with {wallet} to pay"
