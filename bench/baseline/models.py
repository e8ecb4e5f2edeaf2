from __future__ import annotations

from typing import ClassVar

from django.db import models

# This app is installed only with HARBOR_BENCH_BASELINE (config/settings.py), so the django-stubs
# plugin, which reads the default settings, does not see it: what Django adds to these models is
# declared here for the type checker.


class PlainReport(models.Model):
    """The baseline's report row: plaintext, as Harbor never stores one."""

    # Indexed like intake.Report, so the queue benchmark compares like with like.
    received_at = models.DateTimeField()
    status = models.CharField(max_length=16, default="new", db_index=True)

    id: int
    objects: ClassVar[models.Manager[PlainReport]]

    class Meta:
        indexes = [
            models.Index(fields=["-received_at", "id"], name="plain_received_id"),
            models.Index(fields=["status", "-received_at", "id"], name="plain_status_received_id"),
        ]

    def __str__(self) -> str:
        return f"plain report {self.pk}"


class PlainSection(models.Model):
    report = models.ForeignKey(PlainReport, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=16)
    body = models.TextField()

    report_id: int
    objects: ClassVar[models.Manager[PlainSection]]

    def __str__(self) -> str:
        return f"plain section {self.name} of {self.report_id}"
