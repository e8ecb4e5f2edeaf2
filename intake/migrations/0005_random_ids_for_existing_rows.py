# Since 2026-12: existing rows trade their sequential ids for random ones.
#
# A message keeps its old id in legacy_item, because its ciphertext is bound to
# it (vault.envelope AAD item), gets its place in the thread from the old id
# order, and keeps only the hour of when it was written. Photos keep their
# order as ``position``. The reverse gives every row an integer id again
# (messages their old one), for a rollback straight after migrating; exact
# times of advocates' messages are not restored, and messages written after
# this migration cannot be opened by older code whatever their id.

import secrets
from collections import defaultdict

from django.db import migrations


def _new_id() -> str:
    return secrets.token_hex(16)


def _by_old_id(rows):
    return sorted(rows, key=lambda row: int(row.pk))


def _move_attachment(Attachment, AttachmentChunk, old: str, new: str, **changes) -> None:
    # Foreign keys are checked at commit (PostgreSQL: DEFERRABLE INITIALLY DEFERRED; SQLite:
    # checked when the schema editor closes), so the chunks may point at the new id first.
    AttachmentChunk.objects.filter(attachment_id=old).update(attachment_id=new)
    Attachment.objects.filter(pk=old).update(id=new, **changes)


def to_random_ids(apps, schema_editor):
    Section = apps.get_model("intake", "Section")
    SpentDraft = apps.get_model("intake", "SpentDraft")
    AttachmentChunk = apps.get_model("intake", "AttachmentChunk")
    Attachment = apps.get_model("intake", "Attachment")
    Message = apps.get_model("intake", "Message")

    for model in (Section, SpentDraft, AttachmentChunk):
        for old in list(model.objects.values_list("pk", flat=True)):
            model.objects.filter(pk=old).update(id=_new_id())

    per_report = defaultdict(list)
    for attachment in Attachment.objects.all():
        per_report[attachment.report_id].append(attachment)
    for attachments in per_report.values():
        for position, attachment in enumerate(_by_old_id(attachments)):
            _move_attachment(Attachment, AttachmentChunk, attachment.pk, _new_id(), position=position)

    per_report = defaultdict(list)
    for message in Message.objects.all():
        per_report[message.report_id].append(message)
    for messages in per_report.values():
        for seq, message in enumerate(_by_old_id(messages), start=1):
            hour = message.created_at.replace(minute=0, second=0, microsecond=0)
            Message.objects.filter(pk=message.pk).update(
                id=_new_id(), seq=seq, legacy_item=str(message.pk), created_at=hour
            )


def to_integer_ids(apps, schema_editor):
    Section = apps.get_model("intake", "Section")
    SpentDraft = apps.get_model("intake", "SpentDraft")
    AttachmentChunk = apps.get_model("intake", "AttachmentChunk")
    Attachment = apps.get_model("intake", "Attachment")
    Message = apps.get_model("intake", "Message")

    for model in (Section, SpentDraft, AttachmentChunk):
        for number, old in enumerate(list(model.objects.order_by("pk").values_list("pk", flat=True)), start=1):
            model.objects.filter(pk=old).update(id=str(number))

    attachments = list(Attachment.objects.order_by("report_id", "position").values_list("pk", flat=True))
    for number, old in enumerate(attachments, start=1):
        _move_attachment(Attachment, AttachmentChunk, old, str(number))

    messages = list(Message.objects.order_by("report_id", "seq"))
    taken = [int(m.legacy_item) for m in messages if m.legacy_item]
    number = max(taken, default=0)
    for message in messages:
        if message.legacy_item:
            new = message.legacy_item
        else:
            number += 1
            new = str(number)
        Message.objects.filter(pk=message.pk).update(id=new, kind=message.kind or "message")


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0004_random_ids_and_thread_order"),
    ]

    operations = [
        migrations.RunPython(to_random_ids, to_integer_ids),
    ]
