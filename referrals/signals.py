"""Enforce the reporter's consent on referrals when it changes, and erase them with the report (signals from intake)."""

from django.dispatch import receiver

from intake.signals import consent_changed, report_erased
from referrals.services import enforce_consent, erase_for_report


@receiver(consent_changed)
def on_consent_changed(sender, report, consents, **kwargs):
    enforce_consent(report, consents)


@receiver(report_erased)
def on_report_erased(sender, report, reason, **kwargs):
    erase_for_report(report, withdrawn=reason == "withdrawn")
