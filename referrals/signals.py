"""Enforce the reporter's consent on referrals when it changes (signals from intake)."""

from django.dispatch import receiver

from intake.signals import consent_changed, report_withdrawn
from referrals.services import enforce_consent


@receiver(consent_changed)
def on_consent_changed(sender, report, consents, **kwargs):
    enforce_consent(report, consents)


@receiver(report_withdrawn)
def on_report_withdrawn(sender, report, **kwargs):
    enforce_consent(report, [], erase=True)
