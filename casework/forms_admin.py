"""Administrators' forms: accounts, the reset ceremony, rotation, retention."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from casework.models import Organisation, Role
from intake.models import Report

MAX_RETENTION_DAYS = 100 * 365


class _Crispy(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class _RolesMixin(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Roles"),
        help_text=_(
            "Advocates read reports. Administrators manage accounts, grants and retention, and read no report "
            "unless they are also advocates. Recipients see only referrals sent to their organisation. "
            "Auditors see the audit log only."
        ),
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        label=_("Organisation (recipients only)"),
    )

    def clean(self):
        data = super().clean()
        roles = data.get("roles") or []
        if Role.RECIPIENT.value in roles:
            if not data.get("organisation"):
                self.add_error("organisation", _("A recipient belongs to an organisation: choose one."))
            if set(roles) & {Role.ADVOCATE.value, Role.ADMIN.value}:
                self.add_error(
                    "roles",
                    _(
                        "A recipient cannot also be an advocate or administrator: recipients never hold the organisation key."
                    ),
                )
        return data


class AccountForm(_RolesMixin, _Crispy):
    username = forms.CharField(max_length=150, validators=[UnicodeUsernameValidator()], label=_("Username"))
    field_order = ["username", "roles", "organisation"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That username is taken."))
        return username


class AccountEditForm(_RolesMixin, _Crispy):
    is_active = forms.BooleanField(
        required=False,
        label=_("Active"),
        help_text=_("An inactive account cannot log in and loses its key grants."),
    )
    unlock = forms.BooleanField(
        required=False, label=_("Unlock the account now (it is paused after too many failed logins)")
    )

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not locked:
            del self.fields["unlock"]


class ResetForm(_Crispy):
    confirm = forms.BooleanField(
        label=_("I have confirmed, in person or through a number we already knew, that this person asked for a reset."),
    )

    def __init__(self, *args, sole_holder: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if sole_holder:
            self.fields["last_holder"] = forms.BooleanField(
                label=_(
                    "I understand that this person is the only key holder: after the reset no one can read any report, ever."
                ),
            )


class RotateForm(_Crispy):
    confirm = forms.BooleanField(
        label=_("Rotate the organisation key now. Every current key holder receives the new key."),
    )


class RetentionForm(_Crispy):
    """One field per report status: days after the last change; blank keeps for ever."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Report.Status.choices:
            self.fields[value] = forms.IntegerField(
                label=label,
                required=False,
                min_value=1,
                max_value=MAX_RETENTION_DAYS,
                help_text=_("Days after the last change. Leave blank to keep."),
            )

    def days(self) -> dict[str, int | None]:
        return {value: self.cleaned_data.get(value) for value, _label in Report.Status.choices}
