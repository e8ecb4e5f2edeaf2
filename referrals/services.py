"""Build, send, open and revoke referrals. Only policy/ decides content; only vault/ touches keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from casework.models import Organisation, StaffProfile
from intake import policy_bridge
from intake.models import Report
from intake.services import OpenedReport, answers_of
from policy.errors import ConsentMissing, NotNarrower, PolicyError
from policy.referral import Referral as PolicyReferral
from policy.referral import apply_edits
from referrals.models import PublishedAlert, Referral, ReferralMessage, ReferralWrap
from vault import envelope
from vault import referrals as vault_referrals
from vault.custody import active_org_key
from vault.exceptions import DecryptionError
from vault.models import StaffKey
from vault.session import Unlocked

ALERT = "alert"


class Refused(Exception):
    """The referral may not be built or sent; the message says why, for the advocate."""


class NoSuchTarget(Refused):
    """The target names no organisation (and is not the alert list): the view answers 404."""


class NoAccess(Exception):
    """This user holds no key to this referral (or it was revoked)."""


def report_data(opened: OpenedReport) -> tuple[dict[str, Any], str]:
    """Return the report's fields as the policy engine takes them, and the report's language."""
    sections = opened.sections()
    return answers_of(sections), sections.get("summary", {}).get("lang", "en")


@dataclass
class Target:
    """Where a referral can go: an organisation (by its policy profile) or the peer alert list."""

    key: str  # organisation id, or "alert"
    profile: str
    title: str
    organisation: Organisation | None
    readers: int


def targets(data: dict[str, Any]) -> tuple[list[Target], list[tuple[str, str]]]:
    """Return (targets the reporter's consent allows, [(title, reason)] for those it does not)."""
    consents = set(data.get("consent") or ["record_only"])
    allowed, refused = [], []
    for org in Organisation.objects.filter(retired_at__isnull=True).order_by("name"):
        if org.kind in consents and "record_only" not in consents:
            allowed.append(Target(str(org.pk), org.kind, org.name, org, len(reader_keys(org))))
        else:
            refused.append(
                (
                    org.name,
                    _("The reporter has not agreed to share with %(kind)s.")
                    % {"kind": policy_bridge.RECIPIENT_TITLES.get(org.kind, org.kind)},
                )
            )
    if "peer_alert" in consents and "record_only" not in consents:
        allowed.append(Target(ALERT, "peer_alert", str(policy_bridge.RECIPIENT_TITLES["peer_alert"]), None, 0))
    return allowed, refused


def resolve(data: dict[str, Any], key: str) -> Target:
    """Return the target named ``key``; raise Refused if the reporter's consent does not allow it."""
    allowed, _refused = targets(data)
    for target in allowed:
        if target.key == key:
            return target
    # ASCII digits only, and within a bigint: "²" is a digit to Python, not to the database.
    numeric = key.isascii() and key.isdigit() and len(key) <= 18
    org = Organisation.objects.filter(pk=int(key)).first() if numeric else None
    if org is None and key != ALERT:
        raise NoSuchTarget(_("There is no such recipient."))
    if org is not None and org.retired:
        raise Refused(_("%(name)s was retired and receives no more referrals. Nothing was sent.") % {"name": org.name})
    raise Refused(_("The reporter's consent does not allow sharing with this recipient. Nothing was sent."))


def reader_keys(org: Organisation) -> list[StaffKey]:
    """Return the public keys of the organisation's active recipient users."""
    members = StaffProfile.objects.filter(organisation=org, user__is_active=True).select_related("user")
    user_ids = [p.user_id for p in members if p.has_role("recipient")]
    return list(StaffKey.objects.filter(user_id__in=user_ids))


def build(data: dict[str, Any], target: Target, lang: str) -> PolicyReferral:
    try:
        return policy_bridge.build(data, target.profile, lang)
    except ConsentMissing as exc:
        raise Refused(
            _("The reporter's consent does not allow sharing with this recipient. Nothing was sent.")
        ) from exc
    except PolicyError as exc:
        raise Refused(
            _("The policy engine could not build this referral: %(why)s") % {"why": type(exc).__name__}
        ) from exc


def reviewed(built: PolicyReferral, post) -> PolicyReferral:
    """Include each held free-text field the advocate ticked ("include_<id>") after reading it.

    Free text never leaves otherwise: the policy holds it back until a person decides
    (docs/referrals.md, "Free text waits for a person").
    """
    for held in built.held:
        if post.get(f"include_{held.id}"):
            built = built.include(held.id)
    return built


def edited_from_post(candidate: PolicyReferral, post) -> dict[str, Any]:
    """Turn the advocate's form (drop_<id> checkboxes, text_<id> areas) into an edited referral."""
    fields = []
    for f in candidate.to_dict()["fields"]:
        if post.get(f"drop_{f['id']}"):
            continue
        value = f["value"]
        if isinstance(value, str) and f"text_{f['id']}" in post:
            value = post.get(f"text_{f['id']}", "").replace("\r\n", "\n")
        fields.append({"id": f["id"], "kind": f["kind"], "value": value})
    return {"fields": fields}


def narrow(built: PolicyReferral, edited: dict[str, Any]) -> PolicyReferral:
    """Apply the advocate's removals; raise Refused if the edit adds or restores anything."""
    try:
        return apply_edits(built, edited)
    except NotNarrower as exc:
        raise Refused(
            _(
                "Staff may remove more, never less: “%(field)s” is not the original with parts removed. Nothing was sent."
            )
            % {"field": exc.field_id or "?"}
        ) from exc


@transaction.atomic
def send(opened: OpenedReport, actor, target: Target, final: PolicyReferral) -> Referral:
    """Encrypt the referral under a new key and wrap it to each reader; record it."""
    report = opened.report
    org_key = active_org_key()
    referral = Referral(report=report, organisation=target.organisation, profile=target.profile, created_by=actor)
    key = vault_referrals.new_key()
    referral.body = vault_referrals.encrypt(key, referral.id, "body", final.to_dict())
    referral.trace = envelope.encrypt_referral_trace(
        opened.dek, report.id, referral.id, final.to_dict(include_trace=True)["trace"]
    )
    referral.org_key = org_key
    referral.org_wrap = vault_referrals.wrap_key(key, referral.id, bytes(org_key.public_key))
    # A safety alert waits for a second advocate (referrals/alerts.py); a referral goes at once.
    referral.status = Referral.Status.DRAFT_ALERT if target.profile == "peer_alert" else Referral.Status.SENT
    referral.save(force_insert=True)
    if target.organisation is not None:
        ReferralWrap.objects.bulk_create(
            ReferralWrap(
                referral=referral, staff_key=k, wrapped=vault_referrals.wrap_key(key, referral.id, bytes(k.public_key))
            )
            for k in reader_keys(target.organisation)
        )
    if report.status not in (Report.Status.CLOSED, Report.Status.WITHDRAWN):
        report.status = Report.Status.REFERRED
        report.save(update_fields=["status", "updated_at"])
    record(actor.username, "alert.submitted" if referral.is_alert else "referral.sent", referral.id)
    return referral


# --- reading a referral -------------------------------------------------------


def key_for_advocate(referral: Referral, keys: Unlocked) -> bytes:
    if referral.org_wrap is None or referral.org_key is None:
        raise NoAccess
    org_private = keys.org_key(referral.org_key.key_id)
    if org_private is None:
        raise NoAccess
    try:
        return vault_referrals.unwrap_key(bytes(referral.org_wrap), referral.id, org_private)
    except DecryptionError as exc:
        raise NoAccess from exc


def key_for_recipient(referral: Referral, user, keys: Unlocked) -> bytes:
    if referral.is_closed_to_recipient:
        raise NoAccess
    wrap = referral.wraps.filter(staff_key__user=user).first()
    if wrap is None:
        raise NoAccess
    try:
        return vault_referrals.unwrap_key(bytes(wrap.wrapped), referral.id, keys.staff_key())
    except DecryptionError as exc:
        raise NoAccess from exc


def body(referral: Referral, key: bytes) -> dict[str, Any]:
    return vault_referrals.decrypt(key, referral.id, "body", bytes(referral.body))


def messages(referral: Referral, key: bytes) -> list[dict[str, Any]]:
    return [
        {
            "from_recipient": m.from_recipient,
            "author": m.author.username if m.author else "",
            "at": m.created_at,
            "text": vault_referrals.decrypt(key, referral.id, f"message/{m.pk}", bytes(m.blob))["text"],
        }
        for m in referral.messages.select_related("author")
    ]


def mark_opened(referral: Referral, user) -> None:
    if referral.opened_at is None:
        referral.opened_at = timezone.now()
        if referral.status == Referral.Status.SENT:
            referral.status = Referral.Status.OPENED
        referral.save(update_fields=["opened_at", "status", "status_changed_at"])
    record(user.username, "referral.opened", referral.id)


@transaction.atomic
def add_message(referral: Referral, key: bytes, user, text: str, *, from_recipient: bool) -> None:
    msg = ReferralMessage.objects.create(referral=referral, from_recipient=from_recipient, author=user, blob=b"")
    msg.blob = vault_referrals.encrypt(key, referral.id, f"message/{msg.pk}", {"text": text})
    msg.save(update_fields=["blob"])
    record(user.username, "referral.message", referral.id)


def set_recipient_status(referral: Referral, user, status: str) -> None:
    if status not in Referral.RECIPIENT_STATUSES or referral.is_closed_to_recipient:
        raise Refused(_("That status cannot be set now."))
    referral.status = status
    referral.save(update_fields=["status", "status_changed_at"])
    record(user.username, f"referral.status.{status}", referral.id)


# --- consent over time ------------------------------------------------------------


def enforce_consent(report: Report, consents: list[str]) -> None:
    """Apply the reporter's current consent to every referral of ``report``.

    A referral whose consent is gone loses its recipient wraps: not yet opened
    → revoked; already opened → withdrawn, and the recipient's inbox says so.
    A safety alert, published or waiting for review, is retracted, and its published copy goes.
    """
    live = report.referrals.exclude(
        status__in=[Referral.Status.REVOKED, Referral.Status.WITHDRAWN, *Referral.ALERT_ENDED]
    )
    for referral in live:
        if referral.profile in consents and "record_only" not in consents:
            continue
        referral.wraps.all().delete()
        PublishedAlert.objects.filter(referral=referral).delete()
        if referral.is_alert:
            referral.status = Referral.Status.RETRACTED
        elif referral.opened_at is None:
            referral.status = Referral.Status.REVOKED
        else:
            referral.status = Referral.Status.WITHDRAWN
        referral.save(update_fields=["status", "status_changed_at"])
        record("reporter", f"referral.{referral.status}", referral.id, coarse=True)


def erase_for_report(report: Report, *, withdrawn: bool) -> None:
    """Delete every referral row of ``report``: wraps, bodies, traces, messages, the referrals themselves.

    One exception, and only when the reporter withdrew: a referral a recipient had opened stays
    as a notice without content (no body, no key, no link to the report), so the recipient's
    inbox tells them consent was withdrawn and to delete any copy they made. A retention purge
    leaves nothing.
    """
    for referral in report.referrals.all():
        if withdrawn and referral.opened_at is not None and not referral.is_alert:
            referral.wraps.all().delete()
            referral.messages.all().delete()
            referral.report = None
            referral.body = b""
            referral.trace = None
            referral.org_wrap = None
            referral.org_key = None
            referral.status = Referral.Status.WITHDRAWN
            referral.save(
                update_fields=["report", "body", "trace", "org_wrap", "org_key", "status", "status_changed_at"]
            )
            record("reporter", "referral.withdrawn", referral.id, coarse=True)
        else:
            record("reporter" if withdrawn else "retention", "referral.erased", referral.id, coarse=withdrawn)
            referral.delete()
