"""Signals the anonymous surface sends when the reporter changes what may be shared.

The staff side (referrals) listens, so intake never imports it.
"""

from django.dispatch import Signal

# sender=Report, report=Report, consents=list[str]
consent_changed = Signal()
# sender=Report, report=Report, reason="withdrawn" | "purged" — sent inside the transaction that
# erases the report, before its own rows go: each app deletes every row it holds of the report.
report_erased = Signal()
