"""Signals the anonymous surface sends when the reporter changes what may be shared.

The staff side (referrals) listens, so intake never imports it.
"""

from django.dispatch import Signal

# sender=Report, report=Report, consents=list[str]
consent_changed = Signal()
# sender=Report, report=Report — sent inside the withdrawal transaction, before the shredding
report_withdrawn = Signal()
