"""Erase the advocates' notes and the month's statistics digest with the report (a signal from intake)."""

from django.dispatch import receiver

from casework.models import Note
from casework.stats_digest import forget_month_of
from intake.signals import report_erased


@receiver(report_erased)
def on_report_erased(sender, report, **kwargs):
    Note.objects.filter(report=report).delete()
    forget_month_of(report)
