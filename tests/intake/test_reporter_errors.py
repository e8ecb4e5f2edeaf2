"""Every error a reporter's form can show is Harbor's own msgid, so every language can have it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import translation

from intake.errors import REPORTER_ERRORS
from intake.forms import ConsentForm, MessageForm, ReceiptForm, ReportForm, WithdrawForm, typed_date_formats

ROOT = Path(__file__).resolve().parents[2]
FORMS = [ReportForm, ReceiptForm, MessageForm, ConsentForm, WithdrawForm]


def _msgids(po: Path) -> set[str]:
    from tests.po import msgids

    return msgids(po)


def _english(message) -> str:
    with translation.override("en"):
        return str(message)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__name__)
def test_no_reporter_form_keeps_a_django_message(form_class):
    from django.forms import fields as django_fields

    django_messages = set()
    for cls in vars(django_fields).values():
        if isinstance(cls, type) and hasattr(cls, "default_error_messages"):
            django_messages |= {_english(m) for m in cls.default_error_messages.values()}
    form = form_class()
    ours = _msgids(ROOT / "locale" / "th" / "LC_MESSAGES" / "django.po")
    for name, field in form.fields.items():
        for code, message in field.error_messages.items():
            text = _english(message)
            assert text not in django_messages, (form_class.__name__, name, code, text)
            assert text in ours, f"{form_class.__name__}.{name} {code}: {text!r} is not in the reporter catalogues"


def test_every_message_of_ours_is_in_spanish():
    with translation.override("es"):
        for code, message in REPORTER_ERRORS.items():
            assert str(message) != _english(message), code


def test_a_long_receipt_gets_our_words_in_her_language():
    with translation.override("en"):
        form = ReceiptForm(data={"receipt": "A" * 101})
        assert not form.is_valid()
        assert form.errors["receipt"] == ["This is too long: at most 100 characters (you wrote 101)."]
    with translation.override("es"):
        form = ReceiptForm(data={"receipt": "A\x00B"})
        assert not form.is_valid()
        assert str(form.errors["receipt"][0]) == str(REPORTER_ERRORS["null_characters_not_allowed"])


def test_a_tampered_choice_gets_our_words():
    with translation.override("en"):
        form = ConsentForm(data={"consent": ["nobody_we_know"]})
        assert not form.is_valid()
        assert form.errors["consent"] == [_english(REPORTER_ERRORS["invalid_choice"])]


@pytest.mark.parametrize(
    ("lang", "typed"),
    [
        ("th", "14/03/2026"),
        ("vi", "14/03/2026"),
        ("es", "14/03/2026"),
        ("ko", "2026. 03. 14."),
        ("zh-hant", "2026/03/14"),
        ("zh-hans", "2026-03-14"),
        ("tl", "03/14/2026"),
        ("en", "03/14/2026"),
    ],
)
def test_a_date_is_read_as_her_language_writes_it(lang, typed):
    from datetime import datetime as dt

    assert any(_parses(typed, f) for f in typed_date_formats(lang))
    assert datetime.date(2026, 3, 14) in {
        dt.strptime(typed, f).date() for f in typed_date_formats(lang) if _parses(typed, f)
    }


def _parses(text: str, fmt: str) -> bool:
    from datetime import datetime as dt

    try:
        dt.strptime(text, fmt)
    except ValueError:
        return False
    return True
