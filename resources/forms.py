"""The administrator's form for a resource: every text a reporter reads, in English and in Spanish,
and, if the administrator gives them, in each other reporter language."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from config.languages import native_name
from intake.fields import clean_text
from resources.models import Resource, other_languages

#: Texts that must be given in both languages or in neither.
PAIRS = (("hours_en", "hours_es"), ("languages_en", "languages_es"))
#: The texts of one other language, each with its English field and its length limit.
PARTS = (
    ("name", "name", 120, _("Name")),
    ("helps_with", "helps_with_en", 300, _("What they help with")),
    ("hours", "hours_en", 120, _("Hours")),
    ("languages", "languages_en", 120, _("Languages spoken")),
)
MODEL_FIELDS = [
    "name",
    "name_es",
    "helps_with_en",
    "helps_with_es",
    "phone",
    "url",
    "hours_en",
    "hours_es",
    "languages_en",
    "languages_es",
    "position",
]


def other_field(part: str, code: str) -> str:
    """The form field of one text in one other language: ``helps_with__th``."""
    return f"{part}__{code}"


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = MODEL_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        given = self.instance.translations or {}
        fieldsets = []
        for code, _name in other_languages():
            names = []
            for part, _english, limit, label in PARTS:
                name = other_field(part, code)
                self.fields[name] = forms.CharField(label=label, max_length=limit, required=False)
                self.initial.setdefault(name, given.get(code, {}).get(part, ""))
                names.append(name)
            legend = _("%(local)s (%(name)s), optional") % {
                "local": native_name(code),
                "name": get_language_info(code)["name_translated"],
            }
            fieldsets.append(Fieldset(legend, *names, css_class="resource-language"))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*MODEL_FIELDS, *fieldsets)

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                data[name] = clean_text(value)
        for en, es in PAIRS:
            if bool(data.get(en)) != bool(data.get(es)):
                missing = es if data.get(en) else en
                self.add_error(missing, _("Give this in both languages, or leave both empty: reporters read either."))
        if not data.get("phone") and not data.get("url"):
            self.add_error("phone", _("Give a phone number, a website, or both: a reporter needs a way to reach them."))
        self._clean_other_languages(data)
        return data

    def _clean_other_languages(self, data: dict) -> None:
        """Each other language is whole or absent: with any of its texts, what they help with,
        and the hours and languages if the English gives them (the name may stay the same)."""
        for code, _name in other_languages():
            if not any(data.get(other_field(part, code)) for part, *_rest in PARTS):
                continue
            for part, english, _limit, _label in PARTS[1:]:
                name = other_field(part, code)
                if (part == "helps_with" or data.get(english)) and not data.get(name):
                    self.add_error(
                        name,
                        _("Give this too, or leave this language empty: its readers then see the English."),
                    )
                elif data.get(name) and not data.get(english):
                    self.add_error(name, _("Give this in English first: every language says the same."))

    def translations(self) -> dict[str, dict[str, str]]:
        """The other languages given, as ``Resource.translations`` keeps them."""
        out = {}
        for code, _name in other_languages():
            texts = {part: self.cleaned_data.get(other_field(part, code), "") for part, *_rest in PARTS}
            if texts["helps_with"]:
                out[code] = {part: text for part, text in texts.items() if text}
        return out

    def save(self, commit: bool = True) -> Resource:
        self.instance.translations = self.translations()
        return super().save(commit)
