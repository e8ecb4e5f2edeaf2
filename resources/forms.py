"""The administrator's form for a resource: every text a reporter reads, in English and in Spanish."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from intake.fields import clean_text
from resources.models import Resource

#: Texts that must be given in both languages or in neither.
PAIRS = (("hours_en", "hours_es"), ("languages_en", "languages_es"))


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = [
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

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
        return data
