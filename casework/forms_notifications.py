"""The Notifications page's form: an address, a language, and which news (only what the roles allow)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.forms import _Crispy
from casework.models import STAFF_LANGUAGE_CHOICES

LABELS = {
    "reports": _("New reports"),
    "messages": _("New messages from reporters"),
    "referrals": _("New referrals for my organisation"),
}


class NotificationForm(_Crispy):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Where the notice goes. A work address is best: see below what it says."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=STAFF_LANGUAGE_CHOICES)

    def __init__(self, kinds: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            self.fields[kind] = forms.BooleanField(label=LABELS[kind], required=False)

    def chosen(self) -> list[str]:
        return [kind for kind in self.kinds if self.cleaned_data.get(kind)]

    def clean(self):
        data = super().clean()
        if self.chosen() and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Enter the address to write to, or untick every kind of news."))
        return data
