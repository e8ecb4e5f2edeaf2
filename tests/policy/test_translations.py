"""Every reporter-visible text of the packs and phrases exists in every reporter language."""

from __future__ import annotations

from datetime import date

import pytest

from policy._data import REPORTER_LANGS, TRANSLATED_LANGS
from policy.assess import assess, default_phrases, load_phrases, rights_summary
from policy.errors import DataFileError
from policy.packs import DEFAULT_DIR, Text, default_packs, load_packs
from policy.translations import I18N_DIR, check, default_translations, keys, load_translations, skeleton

TODAY = date(2026, 12, 6)


def test_every_reporter_text_is_translated_into_every_language_with_its_placeholders():
    assert check(load_packs(DEFAULT_DIR), load_phrases().texts, default_translations()) == []


def test_each_file_says_it_awaits_a_fluent_reader():
    tr = default_translations()
    for lang in TRANSLATED_LANGS:
        assert "fluent reader" in tr.review[lang], lang
        assert (I18N_DIR / f"{lang}.toml").read_text(encoding="utf-8").count("NOT YET REVIEWED") == 1


@pytest.mark.parametrize("lang", REPORTER_LANGS)
def test_what_the_reporter_reads_is_in_her_language(lang):
    packs = default_packs()
    summary = rights_summary(packs, TODAY, lang)
    english = rights_summary(packs, TODAY, "en")
    for pack, en_pack in zip(summary.packs, english.packs, strict=True):
        if lang != "en":
            assert pack.name != en_pack.name and pack.summary != en_pack.summary
            for item, en_item in zip(pack.protections, en_pack.protections, strict=True):
                assert item.text != en_item.text
    result = assess({"crime_types": ["robbery", "sexual_assault"], "role": "victim"}, packs, TODAY)
    lines = result.for_reporter(lang)
    assert lines
    if lang != "en":
        en_lines = {line.text for line in result.for_reporter("en")}
        assert not {line.text for line in lines} & en_lines


def test_the_notice_line_she_previews_is_in_her_language():
    for pack in default_packs():
        for p in pack.protections:
            if p.scope != "reporting":
                continue
            for lang in TRANSLATED_LANGS:
                assert p.staff_in(lang) != p.staff, (pack.id, p.id, lang)
            assert p.staff_in("en") == p.staff


def test_legal_citations_stay_as_they_are():
    sf = next(p for p in default_packs() if p.id == "us-ca-sf-2018")
    notice = next(p for p in sf.protections if p.id == "sf-da-no-prosecution")
    for lang in TRANSLATED_LANGS:
        assert "647(a)" in notice.staff_in(lang) and "653.22" in notice.staff_in(lang), lang


def test_a_missing_translation_reads_the_english_and_is_reported(tmp_path):
    (tmp_path / "th.toml").write_text(
        'schema = 1\nlanguage = "th"\nreview = "drafted; needs review by a fluent reader"\n'
        '[phrases]\n"status.applies" = "ใช้ {crimes}"\n"status.nonsense" = "x"\n',
        encoding="utf-8",
    )
    tr = load_translations(tmp_path)
    problems = check(load_packs(DEFAULT_DIR), load_phrases().texts, tr)
    assert "th: phrases.status.may_apply is missing" in problems
    assert "zh-hant: pack.us-ca-sf-2018.summary is missing" in problems
    assert "th: phrases.status.nonsense is not a reporter text of any pack or phrase" in problems
    assert any(p.startswith("th: phrases.status.applies has placeholders ['crimes']") for p in problems)
    text = Text("Hello", "Hola")
    assert text.get("th") == "Hello" and not text.has("th")
    with pytest.raises(ValueError, match="unsupported language"):
        text.get("fr")


def test_a_file_for_the_wrong_language_is_refused(tmp_path):
    (tmp_path / "ko.toml").write_text('schema = 1\nlanguage = "th"\nreview = "x"\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="language"):
        load_translations(tmp_path)


def test_the_skeleton_lists_every_key_with_its_english():
    text = skeleton("th", load_packs(DEFAULT_DIR), load_phrases().texts, load_translations(I18N_DIR / "none"))
    for key, english in keys(load_packs(DEFAULT_DIR), load_phrases().texts).items():
        assert english.replace("\n", " ") in text, key
    assert '"status.applies" = ""' in text


def test_phrases_keep_their_placeholders():
    phrases = default_phrases()
    for lang in REPORTER_LANGS:
        assert "robbery" not in phrases.get("reason.crime_not_covered", lang, crimes="X") or lang == "en"
        assert "X" in phrases.get("reason.crime_not_covered", lang, crimes="X")


def test_the_command_line_lists_no_gap_and_prints_a_languages_file(capsys):
    from policy.__main__ import main

    assert main(["translations"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["translations", "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert 'language = "ko"' in out and '"status.applies" = "이것은 당신의 신고에 해당됩니다."' in out
