"""Form fields that accept whatever a frightened person types, within limits."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

# C0 controls other than tab and newline, DEL, and the NUL byte PostgreSQL refuses.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Normalise line ends and drop invisible control characters; keep everything else."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", value)).strip()


class TextField(forms.CharField):
    """A CharField that silently drops control characters instead of refusing the text."""

    def __init__(self, *, long: bool = False, max_length: int | None = None, **kwargs):
        kwargs.setdefault("required", False)
        if max_length is None:
            max_length = 20000 if long else 300
        if long:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        given = dict(kwargs.get("error_messages") or {})
        super().__init__(max_length=max_length, strip=False, **kwargs)
        self.error_messages["max_length"] = given.get("max_length") or _(
            "This is longer than we can take here (%(limit_value)d characters; you wrote %(show_value)d). "
            "You can shorten it, or put the rest in “What happened, in your words”."
        )

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value) if value else value


class MultipleImageInput(forms.FileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Zero or more image files from one input."""

    widget = MultipleImageInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(ImagesField, self).clean(f, initial) for f in files if f]
