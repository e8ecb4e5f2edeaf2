from django import forms
from django.utils.translation import gettext_lazy as _

from intake.fields import TextField
from referrals.models import AlertSubscriber, Referral


class MessageForm(forms.Form):
    text = TextField(long=True, max_length=20000, required=True, label=_("Message"))


class RecipientStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Update the status"),
        choices=[(s, label) for s, label in Referral.Status.choices if s in Referral.RECIPIENT_STATUSES],
    )


class SendBackForm(forms.Form):
    """A reviewer's reason for not publishing an alert: its author reads it."""

    reason = TextField(
        long=True,
        max_length=2000,
        required=True,
        label=_("Why it should not be published (the author reads this)"),
    )


class SubscriberForm(forms.Form):
    """A new subscriber to the published alerts: a name the organisation knows it by, and a language."""

    name = TextField(
        max_length=100,
        required=True,
        label=_("Name"),
        help_text=_("Who reads the alerts through this link, e.g. “outreach van”."),
    )
    lang = forms.ChoiceField(label=_("Language of the alerts"), choices=AlertSubscriber.Language.choices)
