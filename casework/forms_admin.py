"""Administrators' forms: invitations, accounts, organisations, the reset ceremony, rotation, retention."""

from __future__ import annotations

from typing import cast

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from casework import invitations, recipients
from casework.models import Organisation, Role
from intake.models import Report

MAX_RETENTION_DAYS = 100 * 365
MAX_INVITATION_HOURS = 30 * 24


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
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Organisation (recipients only)"),
    )

    def __init__(self, *args, keep_organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Current organisations only; an account of a retired one keeps showing it.
        queryset = Organisation.objects.filter(retired_at__isnull=True)
        if keep_organisation is not None:
            queryset = queryset | Organisation.objects.filter(pk=keep_organisation.pk)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = queryset.order_by("name")

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


class InviteForm(_RolesMixin, _Crispy):
    """Who is invited: the username they will log in with, their roles and, for a recipient, the organisation."""

    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        label=_("Username"),
        help_text=_("The name they will log in with. Letters, digits and @ . + - _ only."),
    )
    hours = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_INVITATION_HOURS,
        label=_("The link works for (hours)"),
        help_text=_("After that it opens nothing, and you can invite them again."),
    )
    field_order = ["username", "roles", "organisation", "hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].initial = settings.HARBOR_INVITATION_HOURS

    def clean_username(self):
        username = self.cleaned_data["username"]
        if not invitations.username_free(username):
            raise forms.ValidationError(_("That username is taken, or someone was already invited with it."))
        return username

    def clean_roles(self):
        roles = self.cleaned_data.get("roles") or []
        if not roles:
            raise forms.ValidationError(_("Choose at least one role: it says what they may see."))
        return roles

    def clean_hours(self):
        return self.cleaned_data.get("hours") or settings.HARBOR_INVITATION_HOURS


class OrganisationForm(_Crispy):
    """A recipient organisation: its name, the policy profile its referrals follow, and how to reach it."""

    name = forms.CharField(max_length=200, label=_("Name"))
    kind = forms.ChoiceField(
        choices=recipients.kinds,
        label=_("Kind"),
        help_text=_(
            "What its referrals may carry is set by this kind's policy profile. A reporter agrees to kinds "
            "of organisation, so she is asked once for all the organisations of a kind."
        ),
    )
    contact = forms.CharField(
        max_length=300,
        required=False,
        label=_("Contact line"),
        help_text=_(
            "Shown to advocates when they choose where to refer: a phone number, opening hours, whom to ask for."
        ),
    )

    def __init__(self, *args, instance: Organisation | None = None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = recipients.tidy(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give the organisation a name."))
        if recipients.name_taken(name, exclude=self.instance):
            raise forms.ValidationError(_("There is already an organisation with that name."))
        return name

    def clean_contact(self):
        return recipients.tidy(self.cleaned_data.get("contact") or "")


class RetireForm(_Crispy):
    confirm = forms.BooleanField(
        label=_(
            "Retire this organisation for good: it receives no more referrals and its people can no longer log in."
        ),
    )


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
