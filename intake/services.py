"""Storing and opening reports. Views call these; only vault/ touches keys."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import record
from intake.choices import FORM_SECTIONS
from intake.models import Attachment, AttachmentChunk, Message, Report, Section, SpentDraft
from intake.signals import consent_changed, report_erased
from vault import envelope, once, receipts, tokens
from vault.custody import active_org_key
from vault.exceptions import DecryptionError, ExpiredTokenError, InvalidReceiptError
from vault.session import Unlocked

DRAFT = "draft"
PHOTOS = "photos"
CHECK = "check"
ATTEMPT = "check-attempt"

# The Section rows of every report, empty or not (which sections exist says nothing): the
# summary and the form's sections.
REPORT_SECTIONS = ("summary", *FORM_SECTIONS)


class ReplayedDraft(Exception):
    """This confirmation was already sent once."""


class ReplayedForm(Exception):
    """This form (its one-time key) was already sent once: nothing was written again."""


class ReportNotFound(Exception):
    """No report opens with this receipt (or it was erased). Same answer either way."""


def _pepper() -> bytes:
    return bytes.fromhex(settings.HARBOR_RECEIPT_PEPPER)


def _hour(now=None):
    return (now or timezone.now()).replace(minute=0, second=0, microsecond=0)


# --- drafts: what the reporter wrote, carried by their browser until they confirm


def seal_draft(data: dict[str, Any], photos: list[bytes], lang: str, nonce: str = "") -> str:
    """Seal a filled-in report into a token for the confirmation page.

    ``nonce`` is the form's one-time key, so that the same form previewed twice (a reload of
    the confirmation page, a resent form) gives drafts that can be sent only once between them.
    """
    payload = {
        "v": 1,
        "nonce": nonce if once.is_key(nonce) else once.new_key(),
        "lang": lang,
        "data": data,
        "photos": [base64.b64encode(p).decode() for p in photos],
    }
    return tokens.seal(settings.SECRET_KEY, DRAFT, json.dumps(payload).encode())


@dataclass
class Draft:
    nonce: str
    lang: str
    data: dict[str, Any]
    photos: list[bytes]


def unseal_draft(token: str) -> Draft:
    """Open a draft token; raise DecryptionError or ExpiredTokenError."""
    raw, _ = tokens.unseal(settings.SECRET_KEY, DRAFT, token, settings.HARBOR_DRAFT_MAX_AGE)
    payload = json.loads(raw)
    return Draft(payload["nonce"], payload["lang"], payload["data"], [base64.b64decode(p) for p in payload["photos"]])


def seal_photos(photos: list[bytes]) -> str:
    """Seal already processed photos so a form shown again does not lose them."""
    if not photos:
        return ""
    return tokens.seal(settings.SECRET_KEY, PHOTOS, json.dumps([base64.b64encode(p).decode() for p in photos]).encode())


def unseal_photos(token: str) -> list[bytes]:
    if not token:
        return []
    raw, _ = tokens.unseal(settings.SECRET_KEY, PHOTOS, token, settings.HARBOR_DRAFT_MAX_AGE)
    return [base64.b64decode(p) for p in json.loads(raw)]


# --- submission


def summary_of(data: dict[str, Any], photo_count: int) -> dict[str, Any]:
    """Return what the queue and statistics need, as its own encrypted section."""
    urgent = (
        data.get("safe_now") == "no"
        or data.get("reporter_under_18") == "yes"
        or bool({"trafficking", "kidnapping"} & set(data.get("crime_types", [])))
    )
    return {
        "crime_types": data.get("crime_types", []),
        "role": data.get("role", ""),
        "needs": data.get("needs", []),
        "safe_now": data.get("safe_now", ""),
        "injured": data.get("injured", ""),
        "under_18": data.get("reporter_under_18") == "yes",
        "urgent": urgent,
        "photos": photo_count,
    }


def sections_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Split report fields into their sections; every form section is there, empty or not.

    A section left out when empty would say, by its absence, that a question
    was not answered (since 2026-12 every report stores every section).
    """
    return {section: {name: data[name] for name in names if name in data} for section, names in FORM_SECTIONS.items()}


def spent_digest(draft: Draft) -> str:
    """The replay marker of a draft: a keyed hash of its nonce (``vault.once``), stored once it is sent."""
    return once.digest(_pepper(), "draft", draft.nonce)


def _legacy_spent_digest(nonce: str) -> str:
    # Drafts sent before 2026-12 were marked by an unkeyed digest; a draft lives three hours.
    return hashlib.sha256(b"harbor/v1/draft-nonce" + nonce.encode()).hexdigest()


def draft_spent(nonce: str) -> bool:
    """Whether a report was already sent from the form with this one-time key."""
    digests = [once.digest(_pepper(), "draft", nonce), _legacy_spent_digest(nonce)]
    return SpentDraft.objects.filter(digest__in=digests).exists()


def form_spent(purpose: str, key: str) -> bool:
    """Whether the form with one-time key ``key`` was already sent for ``purpose``."""
    return once.is_key(key) and SpentDraft.objects.filter(digest=once.digest(_pepper(), purpose, key)).exists()


def spend(purpose: str, key: str) -> None:
    """Mark a form's one-time key as spent, inside the caller's transaction; raise ReplayedForm if it was.

    A form without a key (an old page) is not marked: it is sent as before.
    """
    if not once.is_key(key):
        return
    try:
        with transaction.atomic():
            SpentDraft.objects.create(digest=once.digest(_pepper(), purpose, key))
    except IntegrityError:
        raise ReplayedForm from None


# --- what the page after a redirect shows, handed across it sealed (vault/once.py)

HANDOFF_KEY = "harbor:handoff:{digest}"
# Long enough for a slow phone to follow the redirect, short enough that nothing lingers.
HANDOFF_SECONDS = 120


def _cache_is_shared() -> bool:
    """Whether the page after a redirect will find what was handed off: Redis, or a single process.

    Several app processes with in-process caches would each hold their own hand-offs, and the
    redirect may land on another one: then the page is answered directly, without a redirect.
    """
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(caches["default"], LocMemCache) or settings.DEBUG or settings.TESTING


def hand_off(payload: dict[str, Any]) -> str | None:
    """Keep ``payload`` sealed for the page after a redirect; return its key, or None if the cache is away.

    The server keeps only the ciphertext, under the keyed hash of the key, for
    two minutes or until it is taken; the key is in the redirect's address only.
    """
    if not _cache_is_shared():
        return None
    key = once.new_key()
    sealed = once.seal_handoff(key, json.dumps(payload).encode())
    try:
        cache.set(HANDOFF_KEY.format(digest=once.digest(_pepper(), "handoff", key)), sealed, HANDOFF_SECONDS)
    except Exception:  # noqa: BLE001 - without the cache the page is shown without a redirect
        return None
    return key


def take_hand_off(key: str) -> dict[str, Any] | None:
    """Return what was handed off under ``key`` and forget it; None if it is unknown, shown already or too old."""
    if not once.is_key(key):
        return None
    name = HANDOFF_KEY.format(digest=once.digest(_pepper(), "handoff", key))
    try:
        sealed = cache.get(name)
        cache.delete(name)
    except Exception:  # noqa: BLE001 - the cache is away: as if shown already
        return None
    if not isinstance(sealed, str):
        return None
    try:
        return json.loads(once.open_handoff(key, sealed, HANDOFF_SECONDS))
    except (DecryptionError, ExpiredTokenError, ValueError):
        return None


def submit(draft: Draft) -> tuple[Report, str]:
    """Store a confirmed draft encrypted; return the report and its new receipt.

    All or nothing: the report, its sections, photos and the spent-draft
    marker are written in one transaction, so a failure leaves no trace. A
    replayed draft collides on the spent-draft digest and stores nothing.
    """
    digest = spent_digest(draft)
    if draft_spent(draft.nonce):
        raise ReplayedDraft
    try:
        with transaction.atomic():
            return _store(draft, digest)
    except IntegrityError:
        if SpentDraft.objects.filter(digest=digest).exists():
            raise ReplayedDraft from None
        raise


def _store(draft: Draft, digest: str) -> tuple[Report, str]:
    SpentDraft.objects.create(digest=digest)
    org_key = active_org_key()
    receipt = receipts.generate()
    dek = envelope.new_dek()
    report = Report(received_at=_hour(), org_key=org_key, schema_version=envelope.SCHEMA_VERSION)
    rid = report.id
    report.lookup_id = receipts.lookup_id(receipt, _pepper()).hex()
    report.dek_org_wrap = envelope.wrap_dek_to_org(dek, rid, bytes(org_key.public_key))
    report.dek_receipt_wrap = envelope.wrap_dek_to_receipt(dek, rid, receipts.reporter_key(receipt))
    report.save(force_insert=True)

    sections = sections_of(draft.data)
    sections["summary"] = summary_of(draft.data, len(draft.photos))
    sections["summary"]["lang"] = draft.lang
    if not sections["consent"].get("consent"):
        sections["consent"]["consent"] = ["record_only"]
    Section.objects.bulk_create(
        Section(report=report, name=name, blob=envelope.encrypt_json(dek, rid, name, sections[name]))
        for name in REPORT_SECTIONS
    )
    for position, photo in enumerate(draft.photos):
        item = secrets.token_hex(8)
        chunks = envelope.encrypt_chunks(dek, rid, item, photo)
        attachment = Attachment.objects.create(report=report, position=position, item=item, chunk_count=len(chunks))
        AttachmentChunk.objects.bulk_create(
            AttachmentChunk(attachment=attachment, index=i, blob=blob) for i, blob in enumerate(chunks)
        )
    return report, receipt


# --- the thread between the reporter and the advocates


@transaction.atomic
def append_message(report: Report, dek: bytes, author: str, text: str, kind: str = "message") -> Message:
    """Add a message to a report's thread, encrypted under the report key.

    The row has a random id, the hour (Message.created_at) and the next place
    in this report's thread; the kind ("message" or "details") is inside the
    ciphertext. Writers of one thread queue on the report row, so two
    messages cannot take the same place.
    """
    list(Report.objects.select_for_update().filter(pk=report.pk).values_list("pk", flat=True))
    seq = (Message.objects.filter(report=report).aggregate(last=Max("seq"))["last"] or 0) + 1
    msg = Message(report=report, author=author, seq=seq)
    msg.blob = envelope.encrypt_json(dek, report.id, "messages", {"text": text, "kind": kind}, item=msg.aad_item)
    msg.save(force_insert=True)
    return msg


# --- opening a report: by its receipt (the reporter) or by the organisation key (staff)


class NoKey(Exception):
    """This staff member holds no key that opens this report."""


class StaffOnly(Exception):
    """The reporter's opening of a report does not show this (the advocates' notes, the photos themselves)."""


REPORTER = "reporter"
STAFF = "staff"


def answers_of(sections: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return a report's answers: every form section's fields in one dict (the summary is not an answer)."""
    data: dict[str, Any] = {}
    for name in FORM_SECTIONS:
        data.update(sections.get(name, {}))
    return data


@dataclass
class OpenedReport:
    """A report opened with its data key, which is held in memory only.

    Two keys open one, each through its constructor: the reporter's receipt
    (:func:`open_with_receipt`, or :func:`open_with_check_token` on the next
    page) and the organisation key an unlocked staff member holds
    (:func:`open_for_staff`, which records that they did). Both read the
    sections, the thread and how many photos there are; only staff read the
    advocates' notes and the photos themselves (:class:`StaffOnly` otherwise).
    """

    report: Report
    dek: bytes = field(repr=False)
    opener: str = REPORTER
    receipt: str = field(default="", repr=False)  # the reporter's, to seal the next page's check token

    _blobs: dict[str, bytes] | None = field(default=None, init=False, repr=False)

    def section(self, name: str) -> dict[str, Any]:
        """Decrypt one section; a section the report does not have (a report from before 2026-12) is empty."""
        if self._blobs is None:
            # Every section in one query: the check page shows seven of them.
            self._blobs = {n: bytes(b) for n, b in self.report.sections.values_list("name", "blob")}
        blob = self._blobs.get(name)
        if blob is None:
            return {}
        return envelope.decrypt_json(self.dek, self.report.id, name, blob)

    def sections(self) -> dict[str, dict[str, Any]]:
        """Decrypt every section of the report, by name."""
        return {
            s.name: envelope.decrypt_json(self.dek, self.report.id, s.name, bytes(s.blob))
            for s in self.report.sections.all()
        }

    def answers(self) -> dict[str, Any]:
        """Return every answer of the form in one dict (:func:`answers_of`)."""
        return answers_of(self.sections())

    def messages(self) -> list[dict[str, Any]]:
        """Decrypt the thread in the order it was written."""
        out = []
        for msg in self.report.messages.all():
            body = envelope.decrypt_json(self.dek, self.report.id, "messages", bytes(msg.blob), item=msg.aad_item)
            kind = body.get("kind") or msg.kind or "message"
            out.append({"author": msg.author, "kind": kind, "at": msg.created_at, "text": body["text"]})
        return out

    def photos(self) -> int:
        """Return how many photos the report holds."""
        return self.report.attachments.count()

    def photo(self, item: str) -> bytes:
        """Decrypt one photo (staff only)."""
        self._staff_only()
        attachment = self.report.attachments.get(item=item)
        blobs = [bytes(c.blob) for c in attachment.chunks.all()]
        return envelope.decrypt_chunks(self.dek, self.report.id, item, blobs)

    def notes(self) -> list[dict[str, Any]]:
        """Decrypt the advocates' notes (staff only; casework.models.Note)."""
        self._staff_only()
        return [
            {
                "author": n.author.username if n.author else "",
                "at": n.created_at,
                "text": envelope.decrypt_json(self.dek, self.report.id, "notes", bytes(n.blob), item=str(n.pk))["text"],
            }
            for n in self.report.notes.select_related("author")
        ]

    def _staff_only(self) -> None:
        if self.opener != STAFF:
            raise StaffOnly


def report_dek(report: Report, keys: Unlocked) -> bytes:
    """Unwrap a report's data key with the organisation key it was wrapped to; raise NoKey."""
    if report.dek_org_wrap is None:
        raise NoKey
    org_key = report.org_key  # None, without a query, when the report names no key
    if org_key is None:
        raise NoKey
    org_private = keys.org_key(org_key.key_id)
    if org_private is None:
        raise NoKey
    try:
        return envelope.unwrap_dek_with_org(bytes(report.dek_org_wrap), report.id, org_private)
    except DecryptionError as exc:
        raise NoKey from exc


def open_for_staff(report: Report, keys: Unlocked, actor: str, *, audit_action: str = "report.viewed") -> OpenedReport:
    """Open a report with a staff member's unlocked keys and record that they did; raise NoKey."""
    dek = report_dek(report, keys)
    record(actor, audit_action, report.id)
    return OpenedReport(report=report, dek=dek, opener=STAFF)


# --- coming back with a receipt


# A wrap of a random key, opened when no report matched, so a wrong receipt
# costs about the same time as a right one.
_DUMMY_KEY = receipts.reporter_key(receipts.generate())
_DUMMY_WRAP = envelope.wrap_dek_to_receipt(envelope.new_dek(), "0" * 32, _DUMMY_KEY)


def open_with_receipt(typed: str) -> OpenedReport:
    """Open a report by receipt; raise InvalidReceiptError (typo) or ReportNotFound."""
    receipt = receipts.normalize(typed)
    lookup = receipts.lookup_id(receipt, _pepper()).hex()
    report = Report.objects.filter(lookup_id=lookup).first()
    key = receipts.reporter_key(receipt)
    if report is None or report.dek_receipt_wrap is None:
        with contextlib.suppress(DecryptionError):
            envelope.unwrap_dek_with_receipt(_DUMMY_WRAP, "0" * 32, key)
        raise ReportNotFound
    try:
        dek = envelope.unwrap_dek_with_receipt(bytes(report.dek_receipt_wrap), report.id, key)
    except DecryptionError:
        raise ReportNotFound from None
    return OpenedReport(report=report, dek=dek, opener=REPORTER, receipt=receipt)


def receipt_lookup(typed: str) -> str:
    """Return the lookup id of a typed receipt (its rate-limit bucket comes from it); raise InvalidReceiptError."""
    return receipts.lookup_id(receipts.normalize(typed), _pepper()).hex()


def attempt_max_age() -> int:
    """Seconds a receipt held at a rate limit stays sealed in the waiting page: the longest wait and then some."""
    return settings.HARBOR_WAIT_MAX_SECONDS + settings.HARBOR_PASS_SECONDS


def seal_attempt(typed: str) -> str:
    """Seal a typed receipt for the waiting page, so that it is never put back into a page as typed."""
    return tokens.seal(settings.SECRET_KEY, ATTEMPT, receipts.normalize(typed).encode())


def unseal_attempt(token: str) -> str:
    """Open a sealed receipt; raise DecryptionError or ExpiredTokenError."""
    raw, _ = tokens.unseal(settings.SECRET_KEY, ATTEMPT, token, attempt_max_age())
    return raw.decode("ascii")


def seal_check(opened: OpenedReport) -> str:
    """Seal the receipt for the next page of /check/, for HARBOR_CHECK_MAX_AGE seconds."""
    if opened.opener != REPORTER or not opened.receipt:
        raise ValueError("only a report opened with its receipt has a check token")
    return tokens.seal(settings.SECRET_KEY, CHECK, opened.receipt.encode())


def open_with_check_token(token: str) -> OpenedReport:
    """Re-open a report from a check token; raise DecryptionError, ExpiredTokenError or ReportNotFound."""
    raw, _ = tokens.unseal(settings.SECRET_KEY, CHECK, token, settings.HARBOR_CHECK_MAX_AGE)
    try:
        return open_with_receipt(raw.decode("ascii"))
    except InvalidReceiptError:
        raise ReportNotFound from None


@transaction.atomic
def add_reporter_message(opened: OpenedReport, text: str, kind: str = "message", key: str = "") -> Message:
    """Append the reporter's message or added details, encrypted under the report key.

    Raise ReplayedForm, writing nothing, if the form with one-time key ``key`` was sent already.
    """
    spend("message", key)
    msg = append_message(opened.report, opened.dek, Message.Author.REPORTER, text, kind)
    if opened.report.status in (Report.Status.WAITING, Report.Status.CLOSED):
        opened.report.status = Report.Status.IN_REVIEW
        opened.report.save(update_fields=["status", "updated_at"])
    return msg


@transaction.atomic
def set_consent(
    opened: OpenedReport, consent: list[str], share_contact: str, protections: str = "", key: str = ""
) -> None:
    """Replace the consent section with the reporter's new choice, in place (same row, same size class).

    Raise ReplayedForm, writing nothing, if the form with one-time key ``key`` was sent already.
    """
    spend("consent", key)
    value: dict[str, list[str] | str] = {"consent": consent or ["record_only"]}
    if share_contact:
        value["consent_share_contact"] = share_contact
    if protections:
        value["consent_protections"] = protections
    blob = envelope.encrypt_json(opened.dek, opened.report.id, "consent", value)
    Section.objects.update_or_create(report=opened.report, name="consent", defaults={"blob": blob})
    opened._blobs = None  # read again: the page after this shows the new choice
    record("reporter", "report.consent_changed", opened.report.id, coarse=True)
    consent_changed.send(sender=Report, report=opened.report, consents=value["consent"])


def erase(report: Report, *, reason: str) -> None:
    """Delete every row that holds anything of ``report``, in this app and (by signal) in the others.

    Sections, messages, photos and both key wraps here; notes, referrals, their wraps, bodies and
    messages in casework and referrals (``report_erased``). Call inside a transaction. What is
    left is the report row itself, without a key or a receipt lookup: the caller deletes it or
    keeps it as a content-free tombstone.
    """
    report_erased.send(sender=Report, report=report, reason=reason)
    Section.objects.filter(report=report).delete()
    Message.objects.filter(report=report).delete()
    Attachment.objects.filter(report=report).delete()
    report.lookup_id = None
    report.dek_org_wrap = None
    report.dek_receipt_wrap = None


@transaction.atomic
def withdraw(opened: OpenedReport, key: str = "") -> None:
    """Crypto-shred a report: delete every row of its content; keep a tombstone.

    With the wraps gone no copy of the ciphertext (a backup, say) can be opened by anyone; the
    audit chain records that it happened, not what it was. The tombstone (id, hour received,
    status) lets the advocates see that the reporter withdrew; the retention rule for withdrawn
    reports removes it.
    """
    spend("withdraw", key)
    report = opened.report
    erase(report, reason="withdrawn")
    report.status = Report.Status.WITHDRAWN
    report.save()
    record("reporter", "report.withdrawn", report.id, coarse=True)
