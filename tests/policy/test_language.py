"""The free-text language detector: every reporter language, mixed text, and what it cannot tell."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy import language
from policy.language import AUTOMATIC, UNKNOWN, detect, name

SAMPLES = {
    "en": [
        "He hit me and took my phone. I was scared and I ran to the bus stop.",
        "they said they would come back if i told anyone",
    ],
    "es": [
        "Me golpeó y se llevó mi teléfono. Tenía miedo y corrí a la parada.",
        "dijo que iba a volver si le contaba a alguien",
    ],
    "zh-hant": [
        "他打了我，還拿走了我的手機。我很害怕，跑到了車站。",
        "老闆說如果我告訴別人，他會回來找我。",
    ],
    "zh-hans": [
        "他打了我，还拿走了我的手机。我很害怕，跑到了车站。",
        "老板说如果我告诉别人，他会回来找我。",
    ],
    "tl": [
        "Sinaktan niya ako at kinuha ang cellphone ko. Natakot ako at tumakbo sa kanto.",
        "sabi nila babalik sila kung may sasabihan ako",
    ],
    "vi": [
        "Anh ta đánh tôi và lấy điện thoại của tôi. Tôi sợ và chạy ra bến xe.",
        "hom qua anh ta danh toi va lay tien cua toi",
    ],
    "ko": [
        "그 남자가 저를 때리고 휴대폰을 가져갔어요. 무서워서 정류장으로 뛰어갔어요.",
        "누구한테 말하면 다시 온다고 했어요",
    ],
    "th": [
        "เขาตีฉันและเอาโทรศัพท์ของฉันไป ฉันกลัวมากและวิ่งไปที่ป้ายรถเมล์",
        "เขาบอกว่าจะกลับมาถ้าฉันบอกใคร",
    ],
}


@pytest.mark.parametrize(("lang", "text"), [(lang, text) for lang, texts in SAMPLES.items() for text in texts])
def test_it_names_each_reporter_language(lang, text):
    found = detect(text)
    assert found.main == lang
    assert found.languages == (lang,)
    assert found.automatic == (lang in AUTOMATIC)


def test_mixed_text_names_every_language_most_first():
    text = "เขาตีฉันและเอาโทรศัพท์ของฉันไป ฉันกลัวมาก\nHe said he was police. He took the money."
    found = detect(text)
    assert found.mixed and set(found.languages) == {"th", "en"}
    assert not found.automatic  # the Thai part needs a person who reads Thai

    found = detect("Me pegó en la calle.\nHe hit me on the street and took my phone and my bag.")
    assert set(found.languages) == {"en", "es"} and found.automatic


def test_a_stray_word_does_not_make_a_text_mixed():
    found = detect("그 남자가 저를 때리고 휴대폰을 가져갔어요. 무서워서 정류장으로 뛰어갔어요. OK")
    assert found.languages == ("ko",)


def test_chinese_with_both_forms_is_called_by_the_form_most_of_it_uses():
    found = detect("他打了我，還拿走了我的手機，說如果我告訴別人他會回來。这个")
    assert found.languages == ("zh-hant",)


def test_japanese_is_not_taken_for_chinese():
    assert detect("彼は私を殴って、携帯電話を取っていきました。").main == "ja"


@pytest.mark.parametrize("text", ["", "   ", "555-0100", "12:30", "Jun", "!!!"])
def test_it_says_when_it_cannot_tell(text):
    found = detect(text)
    assert found.main == UNKNOWN and found.languages == () and not found.automatic


def test_it_is_deterministic_and_names_languages_for_staff():
    text = SAMPLES["vi"][0] + "\n" + SAMPLES["tl"][0]
    assert detect(text) == detect(text)
    assert name("th") == "Thai" and name("zh-hant") == "Chinese (Traditional)" and name("xx") == "xx"


def _script_counts_one_by_one(text: str) -> list[tuple[str, int]]:
    """Each character looked at alone, as language.py did before 2026-12-06: the reference."""
    counts: Counter[str] = Counter()
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["hangul"] += 1
        elif 0x0E00 <= code <= 0x0E7F:
            counts["thai"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            counts["han"] += 1
        elif ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"):
            counts["latin"] += 1
    return list(counts.items())


_SCRIPTS = st.sampled_from(
    [
        "a",
        "Z",
        " ",
        "1",
        ".",
        "é",
        "ñ",
        "ặ",
        "ơ",
        "Ǻ",
        "ｆ",
        "가",
        "ᄀ",
        "ㄱ",
        "ก",
        "๑",
        "あ",
        "ア",
        "中",
        "㐀",
        "丽",
        "😀",
        "\n",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_SCRIPTS | st.characters(), max_size=40).map("".join))
def test_scripts_are_counted_as_one_character_at_a_time_would_count_them(text):
    # The same counts in the same order: a tie between two scripts goes the same way.
    assert list(language._script_counts(text).items()) == _script_counts_one_by_one(text)
