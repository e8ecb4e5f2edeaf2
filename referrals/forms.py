from django import forms
from django.utils.translation import gettext_lazy as _

from intake.fields import TextField
from referrals.models import Referral


class MessageForm(forms.Form):
    text = TextField(long=True, max_length=20000, required=True, label=_("Message"))


class RecipientStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Update the status"),
        choices=[(s, label) for s, label in Referral.Status.choices if s in Referral.RECIPIENT_STATUSES],
    )
