"""Staff forms. Validation and limits live here; views route."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from intake.fields import TextField
from intake.models import Report


class _Crispy(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class LoginForm(_Crispy):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(_Crispy):
    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordChangeForm(_Crispy):
    old_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("That is not your current password."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        elif data.get("new_password"):
            try:
                validate_password(data["new_password"], self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data


class QueueFilterForm(forms.Form):
    SORTS = [
        ("-received_at", _("Newest first")),
        ("received_at", _("Oldest first")),
        ("-updated_at", _("Recently changed")),
    ]
    ASSIGNEES = [("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))]
    status = forms.ChoiceField(choices=[("", _("Any status"))] + list(Report.Status.choices), required=False)
    assignee = forms.ChoiceField(choices=ASSIGNEES, required=False)
    sort = forms.ChoiceField(choices=SORTS, required=False)


class ReplyForm(_Crispy):
    text = TextField(
        long=True,
        max_length=20000,
        required=True,
        label=_("Reply to the reporter"),
        help_text=_("The reporter reads this with their receipt. Plain words; no names of other people."),
    )
    then = forms.ChoiceField(
        label=_("Then set the status to"),
        choices=[("", _("Leave as it is")), ("waiting", _("Waiting on reporter")), ("in_review", _("In review"))],
        required=False,
    )


class NoteForm(_Crispy):
    text = TextField(long=True, max_length=20000, required=True, label=_("Internal note (advocates only)"))


class StatusForm(_Crispy):
    status = forms.ChoiceField(choices=[c for c in Report.Status.choices if c[0] != "withdrawn"])


class AssignForm(_Crispy):
    assignee = forms.ChoiceField(choices=[], required=False, label=_("Assigned to"))

    def __init__(self, *args, advocates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody"))] + [(str(u.pk), u.username) for u in advocates]


class AcceptForm(_Crispy):
    """The invitee chooses their password; it logs them in and locks their key (Django's validators apply)."""

    username = forms.CharField(
        label=_("Your username"),
        disabled=True,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "username", "readonly": True}),
    )
    new_password = forms.CharField(
        label=_("Choose a password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
        help_text=_(
            "A few unrelated words are easy to remember and hard to guess. It also locks your own key: "
            "nobody can recover it, so if you forget it an administrator must reset your account."
        ),
    )
    new_password2 = forms.CharField(
        label=_("The same password again"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, username: str, **kwargs):
        super().__init__(*args, initial={"username": username}, **kwargs)
        self.invitee = username

    def clean(self):
        data = super().clean()
        password = data.get("new_password")
        if password and password != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        elif password:
            try:
                validate_password(password, get_user_model()(username=self.invitee))
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data
