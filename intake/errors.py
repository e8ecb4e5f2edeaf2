"""Every form error a reporter can see, in Harbor's own words and catalogue.

Django's own messages ("This field is required.", "Select a valid choice ...") come from Django's
catalogues, which have no Tagalog at all and are incomplete in others, and they speak like a
machine. Every field of a reporter's form gets these instead where it was left with Django's
default (a message a field sets itself is kept), so each one is a msgid of Harbor's catalogues,
which translators fill for all eight languages (docs/translations.md lists them).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

REPORTER_ERRORS = {
    "required": _("Please fill this in."),
    "invalid_choice": _("That choice is not on the list. Please choose again."),
    "invalid_list": _("That choice is not on the list. Please choose again."),
    "max_length": _("This is too long: at most %(limit_value)d characters (you wrote %(show_value)d)."),
    "null_characters_not_allowed": _("This has a character we cannot take. Please type it again."),
    "invalid": _("We couldn't read this. Please check it."),
    "missing": _("The file did not arrive. Please choose it again."),
    "empty": _("This file is empty. Please choose another."),
    "contradiction": _("Please either choose a file or remove it, not both."),
}


def _django_defaults(field: forms.Field) -> dict[str, object]:
    defaults: dict[str, object] = {}
    for cls in reversed(type(field).__mro__):
        if cls.__module__.startswith("django.") and hasattr(cls, "default_error_messages"):
            defaults.update(cls.default_error_messages)
    return defaults


def use_reporter_errors(form: forms.BaseForm) -> None:
    """Replace every Django default error message of the form's fields with Harbor's own."""
    for field in form.fields.values():
        defaults = _django_defaults(field)
        for code, message in REPORTER_ERRORS.items():
            current = field.error_messages.get(code)
            if current is None and not (
                isinstance(field, forms.CharField) and code in ("max_length", "null_characters_not_allowed")
            ):
                continue
            if current is None or current is defaults.get(code):
                field.error_messages[code] = message
