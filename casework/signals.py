"""Erase the advocates' notes with the report (a signal from intake)."""

from django.dispatch import receiver

from casework.models import Note
from intake.signals import report_erased


@receiver(report_erased)
def on_report_erased(sender, report, **kwargs):
    Note.objects.filter(report=report).delete()
