"""Rows stored before 2026-12 trade their sequential ids and exact times, and still open.

The migrations give existing sections, messages, photos, chunks and
spent-draft markers random ids, messages their place in the thread and the
hour only, and round referrals' status_changed_at. Old ciphertext is not
touched (the server cannot decrypt it): a message stays bound to its old
numeric id through ``legacy_item``, and unpadded blobs open as they are.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from intake import models as intake_models
from intake.services import OpenedReport, append_message
from referrals.models import Referral
from vault import crypto, envelope

BEFORE = [("intake", "0003_queue_indexes"), ("referrals", "0001_initial")]
AFTER = [("intake", "0006_one_message_per_place"), ("referrals", "0002_status_changed_to_the_hour")]
HEX_ID = re.compile(r"^[0-9a-f]{32}$")
RID = "c" * 32
EXACT = datetime.datetime(2026, 11, 20, 14, 37, 12, 345678, tzinfo=datetime.UTC)
HOUR = EXACT.replace(minute=0, second=0, microsecond=0)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _legacy_blob(dek: bytes, section: str, value, item: str = "") -> bytes:
    """A blob as Harbor wrote it before 2026-12: unpadded, algorithm 1."""
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return crypto.aead_encrypt(envelope._section_key(dek, section), data, envelope._aad(RID, section, item))


def _write_old_rows(apps, dek: bytes) -> dict:
    get = lambda name: apps.get_model("intake", name)  # noqa: E731
    report = get("Report").objects.create(id=RID, received_at=HOUR, status="new")
    get("Section").objects.create(
        report=report, name="sensitive", blob=_legacy_blob(dek, "sensitive", {"ctx_immigration": "undocumented"})
    )
    Message = get("Message")
    old_ids = []
    for author, kind, text, at in (
        ("advocate", "message", "Are you safe?", EXACT),
        ("reporter", "details", "He had a knife.", HOUR),
        ("advocate", "message", "Thank you.", EXACT + datetime.timedelta(minutes=5)),
    ):
        msg = Message.objects.create(report=report, author=author, kind=kind, created_at=at, blob=b"")
        msg.blob = _legacy_blob(dek, "messages", {"text": text}, item=str(msg.pk))
        msg.save()
        old_ids.append(msg.pk)
    Attachment, Chunk = get("Attachment"), get("AttachmentChunk")
    for item, data in (("aa" * 8, b"first photo"), ("bb" * 8, b"second photo")):
        attachment = Attachment.objects.create(report=report, item=item, chunk_count=1)
        Chunk.objects.create(
            attachment=attachment, index=0, blob=_legacy_blob(dek, "attachments", data, item=f"{item}/0/last")
        )
    get("SpentDraft").objects.create(digest="d" * 64)
    referral = apps.get_model("referrals", "Referral").objects.create(
        id="e" * 32, report=report, profile="victim_services", body=b"x", status="withdrawn"
    )
    apps.get_model("referrals", "Referral").objects.filter(pk=referral.pk).update(status_changed_at=EXACT)
    return {"old_message_ids": old_ids}


@pytest.mark.django_db(transaction=True)
def test_old_rows_get_random_ids_the_hour_and_still_open():
    dek = envelope.new_dek()
    try:
        old = _write_old_rows(_migrate(BEFORE), dek)
        _migrate(AFTER)

        for model in (
            intake_models.Section,
            intake_models.Message,
            intake_models.Attachment,
            intake_models.AttachmentChunk,
            intake_models.SpentDraft,
        ):
            ids = list(model.objects.values_list("pk", flat=True))
            assert ids and all(HEX_ID.match(pk) for pk in ids), model.__name__

        report = intake_models.Report.objects.get(pk=RID)
        messages = list(report.messages.all())
        assert [m.seq for m in messages] == [1, 2, 3]
        assert [m.legacy_item for m in messages] == [str(pk) for pk in old["old_message_ids"]]
        assert {m.created_at for m in messages} == {HOUR}
        assert [(m["author"], m["kind"], m["text"]) for m in OpenedReport(report, dek).messages()] == [
            ("advocate", "message", "Are you safe?"),
            ("reporter", "details", "He had a knife."),
            ("advocate", "message", "Thank you."),
        ]
        new = append_message(report, dek, "reporter", "One more thing.", "message")
        assert new.seq == 4 and new.legacy_item == "" and new.aad_item == new.id
        assert OpenedReport(report, dek).messages()[-1]["text"] == "One more thing."

        sensitive = report.sections.get(name="sensitive")
        assert envelope.decrypt_json(dek, RID, "sensitive", bytes(sensitive.blob)) == {
            "ctx_immigration": "undocumented"
        }
        photos = [
            envelope.decrypt_chunks(dek, RID, a.item, [bytes(c.blob) for c in a.chunks.all()])
            for a in report.attachments.all()
        ]
        assert photos == [b"first photo", b"second photo"]
        assert Referral.objects.get(pk="e" * 32).status_changed_at == HOUR

        # Back again, straight after: integer ids, the messages' old ones, and new rows still insert.
        apps = _migrate(BEFORE)
        Message = apps.get_model("intake", "Message")
        numbers = sorted(Message.objects.values_list("pk", flat=True))
        assert numbers[:3] == old["old_message_ids"] and numbers[3] > max(old["old_message_ids"])
        assert set(Message.objects.values_list("kind", flat=True)) == {"message", "details"}
        Section = apps.get_model("intake", "Section")
        added = Section.objects.create(report_id=RID, name="summary", blob=b"x")
        assert isinstance(added.pk, int) and added.pk > 1
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # every app as the code has it
