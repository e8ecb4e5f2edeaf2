"""Reports as stored: ids, wraps and ciphertext. No plaintext column, by design.

What the server can see of a report is its random id, its status, the hour
it arrived and size classes. Everything the reporter wrote is in ``Section``,
``Message`` and ``AttachmentChunk`` blobs that only the organisation key
holders and the receipt holder can open (see vault/envelope.py).

Metadata is data too (docs/threat-model.md, "What a database thief reads"):
every row a reporter's action writes has a random id, so ids do not say in
which order things were written, and every time such a row holds is rounded
down to the hour.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_report_id() -> str:
    return secrets.token_hex(16)


def new_row_id() -> str:
    """A random id (128 bits, hex) for a row a reporter's action writes: it carries no order."""
    return secrets.token_hex(16)


class HourDateTimeField(models.DateTimeField):
    """A DateTimeField that keeps only the hour of what is saved through a model (rounded down).

    The exact second a reporter acted, set beside a network log, could say who
    they are; the hour is all Harbor keeps of when something happened. Since
    2026-12 a value set by hand is rounded too, not only auto_now and
    auto_now_add ones.
    """

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if value is not None:
            value = value.replace(minute=0, second=0, microsecond=0)
            setattr(model_instance, self.attname, value)
        return value


class Report(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        WAITING = "waiting", _("Waiting on reporter")
        REFERRED = "referred", _("Referred")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.CharField(primary_key=True, max_length=32, default=new_report_id, editable=False)
    # HMAC-SHA256(pepper, receipt) in hex; null once the report is withdrawn.
    lookup_id = models.CharField(max_length=64, unique=True, null=True)  # noqa: DJ001 - NULL, not "": the unique index must ignore every withdrawn report
    received_at = models.DateTimeField()  # rounded down to the hour; indexed below with id
    updated_at = HourDateTimeField(auto_now=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    schema_version = models.PositiveSmallIntegerField(default=1)
    org_key = models.ForeignKey("vault.OrgKey", null=True, on_delete=models.PROTECT, related_name="reports")
    dek_org_wrap = models.BinaryField(null=True)
    dek_receipt_wrap = models.BinaryField(null=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_reports"
    )

    class Meta:
        ordering = ["-received_at", "id"]
        # The queue pages through ids in its orders (newest first by default)
        # by index-only scans: a deep page must not read the rows it skips,
        # each wide with a 1.2 kB HPKE wrap (docs/benchmarks.md, "queue").
        indexes = [
            models.Index(fields=["-received_at", "id"], name="report_received_id"),
            models.Index(fields=["status", "-received_at", "id"], name="report_status_received_id"),
            models.Index(fields=["-updated_at", "id"], name="report_updated_id"),
        ]

    def __str__(self) -> str:
        return f"report {self.id[:8]}"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


class Section(models.Model):
    """One encrypted section of a report: every report has every one of REPORT_SECTIONS (intake/services.py)."""

    id = models.CharField(primary_key=True, max_length=32, default=new_row_id, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=16)
    blob = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "name"], name="one_section_per_name")]

    def __str__(self) -> str:
        return f"section {self.name} of report {self.report_id[:8]}"


class Message(models.Model):
    """A message in the reporter ↔ advocate thread, encrypted under the report key.

    Every message of a thread, the advocates' too, is timed to the hour and
    ordered by ``seq``: an advocate's reply at an exact time would date the
    reporter's message next to it to the minute. Whether a reporter's message
    adds details is inside the ciphertext.
    """

    class Author(models.TextChoices):
        REPORTER = "reporter", _("You")
        ADVOCATE = "advocate", _("Advocate")

    id = models.CharField(primary_key=True, max_length=32, default=new_row_id, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()  # its place in the report's thread: 1, 2, 3...
    author = models.CharField(max_length=16, choices=Author.choices)
    # Messages written before 2026-12 only: "message" or "details" in the clear, and
    # their old numeric id, which their ciphertext is bound to. Empty on newer messages.
    kind = models.CharField(max_length=16, blank=True, default="")
    legacy_item = models.CharField(max_length=20, blank=True, default="")
    created_at = HourDateTimeField(auto_now_add=True)
    blob = models.BinaryField()

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["report", "seq"], name="one_message_per_place")]

    def __str__(self) -> str:
        return f"message {self.seq} on report {self.report_id[:8]}"

    @property
    def aad_item(self) -> str:
        """The item its ciphertext is bound to: its id (its old numeric id before 2026-12)."""
        return self.legacy_item or self.id


class Attachment(models.Model):
    """An image, re-encoded without metadata, stored as encrypted chunks."""

    id = models.CharField(primary_key=True, max_length=32, default=new_row_id, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField(default=0)  # the order the reporter added the photos in
    item = models.CharField(max_length=32)  # random id bound into each chunk's AAD
    chunk_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"attachment {self.item} of report {self.report_id[:8]}"


class AttachmentChunk(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_row_id, editable=False)
    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    blob = models.BinaryField()

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["attachment", "index"], name="one_chunk_per_index")]

    def __str__(self) -> str:
        return f"chunk {self.index} of attachment {self.attachment_id}"


class SpentDraft(models.Model):
    """The digest of a confirmation already sent, so a replayed one is refused."""

    id = models.CharField(primary_key=True, max_length=32, default=new_row_id, editable=False)
    digest = models.CharField(max_length=64, unique=True)
    created_at = HourDateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"spent draft {self.digest[:8]}"
