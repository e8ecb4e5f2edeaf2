"""The administrator's form for a resource: every text a reporter reads, in English and in Spanish,
and, if the administrator gives them, in each other reporter language."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from casework.presenters import language_words
from config.languages import native_name
from intake.fields import clean_text
from resources.models import Resource, other_languages

#: Texts that must be given in both languages or in neither.
PAIRS = (("hours_en", "hours_es"), ("languages_en", "languages_es"))
#: The texts of one other language: (its part, the English field it translates, its label). The
#: name may stay the same; the others follow the rule of ``_clean_other_languages``.
PARTS = (
    ("name", "name", _("Name")),
    ("helps_with", "helps_with_en", _("What they help with")),
    ("hours", "hours_en", _("Hours")),
    ("languages", "languages_en", _("Languages spoken")),
)
ENGLISH = [english for part, english, _label in PARTS if part != "name"]
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


def _legend(code: str) -> str:
    """ "ไทย (Thai), optional", the language's own name marked as that language. Fixed text only:
    crispy renders a legend as a template."""
    local = format_html('<span lang="{}">{}</span>', code, native_name(code))
    return mark_safe(_("%(local)s (%(name)s), optional") % {"local": local, "name": escape(language_words(code))})  # noqa: S308 - escaped above


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = MODEL_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        given = self.instance.translations or {}
        fieldsets = []
        for code in other_languages():
            names = []
            for part, english, label in PARTS:
                name = other_field(part, code)
                limit = Resource._meta.get_field(english).max_length
                # Typed in that language: the browser's spelling and a screen reader follow it.
                widget = forms.TextInput(attrs={"lang": code})
                self.fields[name] = forms.CharField(label=label, max_length=limit, required=False, widget=widget)
                self.initial.setdefault(name, given.get(code, {}).get(part, ""))
                names.append(name)
            fieldsets.append(Fieldset(_legend(code), *names, css_class="resource-language"))
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
            if en in self.errors or es in self.errors:
                continue  # its own message says what is wrong; "give both" would mislead
            if bool(data.get(en)) != bool(data.get(es)):
                missing = es if data.get(en) else en
                self.add_error(missing, _("Give this in both languages, or leave both empty: reporters read either."))
        if not data.get("phone") and not data.get("url"):
            self.add_error("phone", _("Give a phone number, a website, or both: a reporter needs a way to reach them."))
        for code in other_languages():
            self._clean_language(data, code)
        return data

    def _clean_language(self, data: dict, code: str) -> None:
        """One other language is whole or absent: with any of its texts, what they help with, and
        the hours and languages if the English gives them (the name may stay the same). When the
        English changes, a language given before must change too, or be emptied: it would
        otherwise tell its readers what the English no longer says."""
        names = [other_field(part, code) for part, *_rest in PARTS]
        if not any(data.get(name) for name in names):
            return
        for part, english, _label in PARTS:
            name = other_field(part, code)
            if part == "name" or english in self.errors or name in self.errors:
                continue  # a text with a message of its own (too long) gets no second one
            if (part == "helps_with" or data.get(english)) and not data.get(name):
                self.add_error(
                    name, _("Give this too, or leave this language empty: its readers then see the English.")
                )
            elif data.get(name) and not data.get(english):
                self.add_error(name, _("Give this in English first: every language says the same."))
        english_changed = self.instance.pk is not None and any(f in self.changed_data for f in ENGLISH)
        if english_changed and not any(name in self.changed_data for name in names):
            self.add_error(
                other_field("helps_with", code),
                _("The English changed: change this language to say the same, or leave it empty."),
            )

    def translations(self) -> dict[str, dict[str, str]]:
        """The other languages given, as ``Resource.translations`` keeps them."""
        out = {}
        for code in other_languages():
            texts = {part: self.cleaned_data.get(other_field(part, code), "") for part, *_rest in PARTS}
            if texts["helps_with"]:
                out[code] = {part: text for part, text in texts.items() if text}
        return out

    def save(self, commit: bool = True) -> Resource:
        self.instance.translations = self.translations()
        return super().save(commit)
