"""The collection statement's text: the default in three languages, and the operator's own."""

from __future__ import annotations

import logging

import pytest

from kiosk.privacy_statement import PrivacyStatements, check_folder
from kiosk.settings import load

PDPO_TERMS = {"zh-Hant": "個人資料", "zh-Hans": "个人资料", "en": "personal data"}
CARRIER = {"zh-Hant": "流動網絡營運商", "zh-Hans": "移动网络运营商", "en": "carrier"}


def settings(tmp_path, **privacy):
    overrides = {"kiosk.data_dir": str(tmp_path)}
    overrides.update({f"privacy.{k}": v for k, v in privacy.items()})
    return load(None, overrides)


@pytest.mark.parametrize("language", ["zh-Hant", "zh-Hans", "en"])
def test_default_names_purpose_recipients_retention_and_contact(tmp_path, language):
    s = PrivacyStatements(settings(tmp_path)).statement(language)
    assert s.source == "default"
    assert PDPO_TERMS[language] in s.body and CARRIER[language] in s.body
    assert "7" in s.body and "+852 3000 0000" in s.body  # retention days, the demo hotline
    assert "{" not in s.body and len(s.body.split("\n\n")) == 4


def test_operator_name_contact_and_retention_come_from_settings(tmp_path):
    s = load(None, {"kiosk.data_dir": str(tmp_path), "journal.phone_retention_days": 1,
                    "privacy.operator_name": "Demo Telecom Ltd",
                    "privacy.contact": "privacy@demo.example, PO Box 1, Hong Kong"})
    text = PrivacyStatements(s).statement("en").body
    assert "Who receives it: Demo Telecom Ltd and" in text
    assert "at most 1 day;" in text  # one day, not "1 days"
    assert "Please contact privacy@demo.example, PO Box 1, Hong Kong." in text


def test_operator_files_replace_the_text_with_fields_filled(tmp_path):
    folder = tmp_path / "pics"
    folder.mkdir()
    (folder / "en.txt").write_text("Our statement. Kept {days} days ({retention}); ask {contact}."
                                   " {unknown} stays as written.\n", encoding="utf-8")
    statements = PrivacyStatements(settings(tmp_path, statement_dir=str(folder)))
    s = statements.statement("en")
    assert s.body == ("Our statement. Kept 7 days (7 days); ask our customer hotline"
                      " +852 3000 0000. {unknown} stays as written.")
    assert s.source == str(folder / "en.txt")
    assert s.title == "Personal Information Collection Statement"


def test_a_missing_operator_file_falls_back_to_the_default_and_says_so(tmp_path, caplog):
    folder = tmp_path / "pics"
    folder.mkdir()
    (folder / "zh-Hant.txt").write_text("   \n", encoding="utf-8")
    statements = PrivacyStatements(settings(tmp_path, statement_dir="pics"))  # under data_dir
    with caplog.at_level(logging.WARNING):
        assert statements.statement("en").source == "default"
        assert statements.statement("zh-Hant").source == "default"
    assert "en.txt not used" in caplog.text and "zh-Hant.txt is empty" in caplog.text
    problems = check_folder(folder)
    assert len(problems) == 3 and any("empty" in p for p in problems)


def test_the_notice_reads_no_file_and_a_statement_is_read_once(tmp_path, monkeypatch):
    folder = tmp_path / "pics"
    folder.mkdir()
    (folder / "en.txt").write_text("Ours.", encoding="utf-8")
    statements = PrivacyStatements(settings(tmp_path, statement_dir=str(folder)))
    reads = []
    real = type(folder).read_text
    monkeypatch.setattr(type(folder), "read_text", lambda p, *a, **k: reads.append(p) or real(p, *a, **k))
    assert statements.notice("en") == "Your number is used only to look up and top up this card."
    assert reads == []
    assert statements.statement("en").body == statements.statement("en").body == "Ours."
    assert reads == [folder / "en.txt"]
