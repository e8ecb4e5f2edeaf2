"""Hotlines and services an administrator lists for reporters, in English and Spanish, and in
each other reporter language an administrator gives.

Nothing here is about a reporter: it is the organisation's own list, public by
design, so it is stored as it is. Every text a reporter reads exists in English and
Spanish (resources/forms.py refuses one without the other). The other reporter
languages are optional, each complete or absent (resources/forms.py): a reader of a
language without one reads the English texts, marked as English for screen readers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.languages import native_name

# What a person may type as a phone number: digits, letters of a vanity number
# (1-800-656-HOPE), spaces and the usual separators, an optional leading "+".
PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9A-Za-z][0-9A-Za-z ().-]{1,38}$",
    _(
        "Write the number as people dial it: digits (or the letters of a vanity number), spaces, dashes, dots, brackets, and a + in front if it has one."
    ),
)
# Keypad letters, as a phone dials a vanity number.
_KEYPAD = str.maketrans(
    {
        **{c: "2" for c in "ABC"},
        **{c: "3" for c in "DEF"},
        **{c: "4" for c in "GHI"},
        **{c: "5" for c in "JKL"},
        **{c: "6" for c in "MNO"},
        **{c: "7" for c in "PQRS"},
        **{c: "8" for c in "TUV"},
        **{c: "9" for c in "WXYZ"},
    }
)


class Resource(models.Model):
    name = models.CharField(_("Name"), max_length=120)
    name_es = models.CharField(
        _("Name in Spanish"), max_length=120, blank=True, help_text=_("Leave empty if the name stays the same.")
    )
    helps_with_en = models.CharField(_("What they help with (English)"), max_length=300)
    helps_with_es = models.CharField(_("What they help with (Spanish)"), max_length=300)
    phone = models.CharField(_("Phone"), max_length=40, blank=True, validators=[PHONE_VALIDATOR])
    url = models.CharField(
        _("Website"),
        max_length=300,
        blank=True,
        validators=[URLValidator(schemes=["https"])],
        help_text=_("An https:// address. It is shown as a plain link; nothing is loaded from it."),
    )
    hours_en = models.CharField(_("Hours (English)"), max_length=120, blank=True)
    hours_es = models.CharField(_("Hours (Spanish)"), max_length=120, blank=True)
    languages_en = models.CharField(_("Languages spoken (English)"), max_length=120, blank=True)
    languages_es = models.CharField(_("Languages spoken (Spanish)"), max_length=120, blank=True)
    # {language code: {"name", "helps_with", "hours", "languages"}} for the reporter languages
    # other than English and Spanish (other_languages()); a language is here whole or not at all.
    translations = models.JSONField(_("Other languages"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("Order"), default=0, help_text=_("Lower numbers come first."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def tel(self) -> str:
        """The ``tel:`` address of the phone number ("" if none): digits only, keypad letters dialled."""
        digits = "".join(c for c in self.phone.upper().translate(_KEYPAD) if c in "0123456789")
        if not digits:
            return ""
        return f"tel:{'+' if self.phone.strip().startswith('+') else ''}{digits}"

    def in_language(self, lang: str) -> dict[str, str]:
        """The texts a reporter reads, in ``lang`` where the administrator gave them, otherwise
        in English; ``lang`` and ``name_lang`` say which language they are in."""
        texts = self._spanish() if lang == "es" else (self._given(lang) or self._english())
        return texts | {"phone": self.phone, "tel": self.tel, "url": self.url}

    def _spanish(self) -> dict[str, str]:
        return {
            "name": self.name_es or self.name,
            "helps_with": self.helps_with_es,
            "hours": self.hours_es,
            "languages": self.languages_es,
            "lang": "es",
            "name_lang": "es" if self.name_es else "en",
        }

    def _english(self) -> dict[str, str]:
        return {
            "name": self.name,
            "helps_with": self.helps_with_en,
            "hours": self.hours_en,
            "languages": self.languages_en,
            "lang": "en",
            "name_lang": "en",
        }

    def _given(self, lang: str) -> dict[str, str] | None:
        """The texts of another language, if it is given whole: what they help with, and every
        text the English gives (the form makes it so; a stored one that is not is not read)."""
        given = self.translations.get(lang) if lang != "en" else None
        if not given or not given.get("helps_with"):
            return None
        if (self.hours_en and not given.get("hours")) or (self.languages_en and not given.get("languages")):
            return None
        return {
            "name": given.get("name") or self.name,
            "helps_with": given["helps_with"],
            "hours": given.get("hours", "") if self.hours_en else "",
            "languages": given.get("languages", "") if self.languages_en else "",
            "lang": lang,
            "name_lang": lang if given.get("name") else "en",
        }

    @property
    def given_languages(self) -> list[tuple[str, str]]:
        """The other languages it is given in, as (code, the language's name in itself)."""
        return [(code, native_name(code)) for code in other_languages() if code in self.translations]


def other_languages() -> list[str]:
    """The codes of the reporter languages besides English and Spanish."""
    return [code for code, _name in settings.LANGUAGES if code not in ("en", "es")]
