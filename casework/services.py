"""What staff do to reports: read summaries, reply, note, assign, change status.

A report is opened for staff by intake.services.open_for_staff, which records that
it was; every view of content is audited.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from audit.services import record
from casework.models import Note
from intake import services as intake_services
from intake.models import Attachment, Message, Report
from intake.services import NoKey, OpenedReport, report_dek
from vault import envelope
from vault.exceptions import DecryptionError
from vault.session import Unlocked


def awaiting_answer(report_ids: list[str]) -> set[str]:
    """Return which of these reports wait for an answer: the newest message of the thread is the reporter's.

    The queue's unread mark is derived, not stored. A "read" or "answered" flag would be one
    more column that a reporter's message writes, and it would be written at the exact
    moment she wrote (docs/threat-model.md, "What a database thief reads"). Who wrote each
    message and its place in the thread are already there: the mark is whether the message
    in the last place is hers. It clears when an advocate answers; opening the report without
    answering leaves it, because she is still waiting.
    """
    newest = Message.objects.filter(report=OuterRef("pk")).order_by("-seq").values("author")[:1]
    return set(
        Report.objects.filter(pk__in=report_ids)
        .annotate(newest_author=Subquery(newest))
        .filter(newest_author=Message.Author.REPORTER)
        .values_list("pk", flat=True)
    )


def summaries(reports: list[Report], keys: Unlocked) -> dict[str, dict[str, Any]]:
    """Decrypt the summary section of each report shown on a page (and only those)."""
    from intake.models import Section

    blobs = dict(Section.objects.filter(report__in=reports, name="summary").values_list("report_id", "blob"))
    out: dict[str, dict[str, Any]] = {}
    for report in reports:
        blob = blobs.get(report.id)
        if blob is None:
            continue
        try:
            out[report.id] = envelope.decrypt_json(report_dek(report, keys), report.id, "summary", bytes(blob))
        except NoKey:
            out[report.id] = {"locked": True}
    return out


@transaction.atomic
def reply(opened: OpenedReport, actor, text: str, then_status: str = "") -> None:
    """Answer the reporter. Timed to the hour like every message of the thread (intake.models.Message)."""
    intake_services.append_message(opened.report, opened.dek, Message.Author.ADVOCATE, text)
    if then_status:
        set_status(opened.report, actor, then_status)
    elif opened.report.status == Report.Status.NEW:
        set_status(opened.report, actor, Report.Status.IN_REVIEW)
    record(actor.username, "report.replied", opened.report.id)


@transaction.atomic
def add_note(opened: OpenedReport, actor, text: str) -> None:
    note = Note.objects.create(report=opened.report, author=actor, blob=b"")
    note.blob = envelope.encrypt_json(opened.dek, opened.report.id, "notes", {"text": text}, item=str(note.pk))
    note.save(update_fields=["blob"])
    record(actor.username, "report.noted", opened.report.id)


def set_status(report: Report, actor, status: str) -> None:
    if report.status == status or report.is_withdrawn:
        return
    report.status = status
    report.save(update_fields=["status", "updated_at"])
    record(actor.username, f"report.status.{status}", report.id)


def assign(report: Report, actor, assignee) -> None:
    report.assignee = assignee
    report.save(update_fields=["assignee", "updated_at"])
    record(actor.username, "report.assigned", report.id)


def shred(report: Report, actor: str, action: str) -> None:
    """Crypto-shred a report (retention purge or admin erasure), keeping a tombstone."""
    with transaction.atomic():
        report.sections.all().delete()
        report.messages.all().delete()
        Attachment.objects.filter(report=report).delete()
        Note.objects.filter(report=report).delete()
        report.lookup_id = None
        report.dek_org_wrap = None
        report.dek_receipt_wrap = None
        report.status = Report.Status.WITHDRAWN if action == "report.withdrawn" else report.status
        report.save()
        record(actor, action, report.id)


def new_item_id() -> str:
    return secrets.token_hex(8)


def summaries_since(since, keys: Unlocked, chunk_size: int = 2000) -> tuple[list[tuple[Any, dict[str, Any]]], int]:
    """Decrypt the summary of every report received since ``since``, for statistics.

    Return ([(received_at, summary), ...], how many could not be opened with
    these keys). One streamed query joins each summary to its report's wrap;
    each organisation private key is expanded once (Unlocked caches it), so
    the cost is one HPKE unwrap and one AES-GCM open per report. Withdrawn
    reports have no summary left and are not counted. Not audited here: the
    caller records one event for the page, not one per report.
    """
    from intake.models import Section

    rows = (
        Section.objects.filter(name="summary", report__received_at__gte=since)
        .exclude(report__status=Report.Status.WITHDRAWN)
        .values_list("report_id", "report__received_at", "report__org_key__key_id", "report__dek_org_wrap", "blob")
        .iterator(chunk_size=chunk_size)
    )
    out: list[tuple[Any, dict[str, Any]]] = []
    unreadable = 0
    for report_id, received_at, key_id, wrap, blob in rows:
        org_private = keys.org_key(key_id) if key_id else None
        if org_private is None or wrap is None:
            unreadable += 1
            continue
        try:
            dek = envelope.unwrap_dek_with_org(bytes(wrap), report_id, org_private)
            out.append((received_at, envelope.decrypt_json(dek, report_id, "summary", bytes(blob))))
        except DecryptionError:
            unreadable += 1
    return out, unreadable


def received_since(since) -> list[Any]:
    """The hour each report still held arrived since ``since``: what the server can count without a key."""
    return list(
        Report.objects.filter(received_at__gte=since)
        .exclude(status=Report.Status.WITHDRAWN)
        .values_list("received_at", flat=True)
    )
