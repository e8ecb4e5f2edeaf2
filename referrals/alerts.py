"""Peer safety alerts: two people check each one, it expires, and it reaches people.

An advocate builds an alert like a referral (referrals/services.py); it then
waits for a *second* advocate, who sees exactly what would be published, may
remove more (never add), and publishes it or sends it back with a reason the
author reads. The author can never be the reviewer: this module refuses it,
whatever a form posts. A published alert gets a published copy
(``PublishedAlert``) with a random id and the day, sealed for the server
(vault/publication.py), because subscribers read it with no advocate present;
that copy is all the feed and the bulletin ever read. It goes when the alert is
retracted, or when it expires (``HARBOR_ALERT_DAYS``; the periodic task
``referrals.expire_alerts``). docs/referrals.md, "Peer safety alerts".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from policy.referral import Referral as PolicyReferral
from referrals import services
from referrals.models import AlertReview, AlertSubscriber, PublishedAlert, Referral
from vault import publication
from vault import referrals as vault_referrals
from vault.exceptions import DecryptionError, FormatError

log = logging.getLogger(__name__)

#: The audit actor of the scheduled expiry.
EXPIRY_ACTOR = "alert-expiry"


def now() -> datetime:
    """The current time; tests move the clock by replacing this function."""
    return timezone.now()


class OwnAlert(services.Refused):
    """The author of an alert tried to review it: a second person must."""


class NotWaiting(services.Refused):
    """The alert is no longer waiting for review (decided already, or retracted)."""


def check_reviewer(referral: Referral, reviewer) -> None:
    """Raise OwnAlert if ``reviewer`` wrote the alert, NotWaiting if it is not waiting for review."""
    if not referral.is_alert:
        raise services.Refused(_("This is not a safety alert."))
    if referral.created_by_id is not None and referral.created_by_id == reviewer.pk:
        raise OwnAlert(
            _(
                "You wrote this alert, so you cannot approve or send it back: a second advocate must. Nothing was changed."
            )
        )
    if referral.status != Referral.Status.DRAFT_ALERT:
        raise NotWaiting(_("This alert is no longer waiting for review. Nothing was changed."))


def may_review(referral: Referral, user) -> bool:
    """Whether ``user`` may decide on this alert now (the page shows the form only then)."""
    try:
        check_reviewer(referral, user)
    except services.Refused:
        return False
    return True


def candidate(body: dict[str, Any]) -> PolicyReferral:
    """The alert as stored, as the policy engine's referral: what a reviewer may only narrow."""
    return PolicyReferral.from_dict(body)


def narrowed(body: dict[str, Any], post) -> PolicyReferral:
    """Apply a reviewer's removals from the form; raise Refused if the form adds or restores anything."""
    current = candidate(body)
    return services.narrow(current, services.edited_from_post(current, post))


@transaction.atomic
def approve(referral: Referral, reviewer, key: bytes, final: PolicyReferral) -> PublishedAlert:
    """Publish an alert a second advocate has checked (``final``: what they saw, perhaps narrowed)."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    check_reviewer(locked, reviewer)
    # The reviewer's form was checked against the stored body; check again under the lock.
    body = services.body(locked, key)
    final = services.narrow(candidate(body), {"fields": final.to_dict()["fields"]})
    if final.to_dict() != body:
        locked.body = vault_referrals.encrypt(key, locked.id, "body", final.to_dict())
    locked.status = Referral.Status.PUBLISHED
    locked.save(update_fields=["body", "status", "status_changed_at"])
    AlertReview.objects.create(referral=locked, reviewer=reviewer, approved=True)
    at = now()
    copy = PublishedAlert(
        referral=locked,
        published_on=timezone.localdate(at),
        expires_at=at + timedelta(days=settings.HARBOR_ALERT_DAYS),
    )
    copy.blob = publication.seal_alert(str(copy.id), {"fields": final.to_dict()["fields"]})
    copy.save(force_insert=True)
    record(reviewer.username, "alert.approved", locked.id)
    return copy


@transaction.atomic
def send_back(referral: Referral, reviewer, key: bytes, reason: str) -> None:
    """Refuse to publish an alert, with a reason its author reads (encrypted under the referral key)."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    check_reviewer(locked, reviewer)
    locked.status = Referral.Status.REJECTED
    locked.save(update_fields=["status", "status_changed_at"])
    AlertReview.objects.create(
        referral=locked,
        reviewer=reviewer,
        approved=False,
        reason=vault_referrals.encrypt(key, locked.id, "reason", {"text": reason}),
    )
    record(reviewer.username, "alert.sent_back", locked.id)


def reason(referral: Referral, key: bytes) -> str:
    """The reviewer's reason for sending an alert back ("" if there is none)."""
    review = AlertReview.objects.filter(referral=referral).first()
    if review is None or review.reason is None:
        return ""
    return str(vault_referrals.decrypt(key, referral.id, "reason", bytes(review.reason))["text"])


def can_retract(referral: Referral) -> bool:
    return referral.is_alert and referral.status in (Referral.Status.DRAFT_ALERT, Referral.Status.PUBLISHED)


@transaction.atomic
def retract(referral: Referral, user) -> None:
    """Take an alert down (published) or withdraw it (waiting): any advocate, at any time."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if not can_retract(locked):
        raise services.Refused(_("This alert cannot be retracted now: it is not published or waiting."))
    PublishedAlert.objects.filter(referral=locked).delete()
    locked.status = Referral.Status.RETRACTED
    locked.save(update_fields=["status", "status_changed_at"])
    record(user.username, "alert.retracted", locked.id)


def expire_due(at: datetime | None = None) -> int:
    """Take down every published alert whose time is over; return how many."""
    at = at or now()
    count = 0
    for copy in PublishedAlert.objects.filter(expires_at__lte=at).select_related("referral"):
        with transaction.atomic():
            referral = Referral.objects.select_for_update().get(pk=copy.referral_id)
            PublishedAlert.objects.filter(pk=copy.pk).delete()
            if referral.status == Referral.Status.PUBLISHED:
                referral.status = Referral.Status.EXPIRED
                referral.save(update_fields=["status", "status_changed_at"])
                record(EXPIRY_ACTOR, "alert.expired", referral.id)
                count += 1
    return count


def alert_days() -> int:
    """How many days a published alert stays up (HARBOR_ALERT_DAYS)."""
    return settings.HARBOR_ALERT_DAYS


def expiry_interval() -> int:
    """Seconds between scheduled expiry checks (HARBOR_ALERT_EXPIRE_EVERY; 0 turns the schedule off)."""
    return settings.HARBOR_ALERT_EXPIRE_EVERY


# --- what is published ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """One published alert as the bulletin and the feed carry it: a random id, two days, its fields."""

    public_id: str
    published_on: date
    until: date
    fields: list[dict[str, Any]]


def published(at: datetime | None = None) -> list[Published]:
    """Every alert published and not expired at ``at``, newest first, opened from its published copy."""
    at = at or now()
    items = []
    copies = PublishedAlert.objects.filter(expires_at__gt=at, referral__status=Referral.Status.PUBLISHED)
    for copy in copies.order_by("-published_on", "id"):
        try:
            content = publication.open_alert(str(copy.id), bytes(copy.blob))
        except (DecryptionError, FormatError):
            log.warning("a published alert does not open; left out")
            continue
        items.append(
            Published(
                public_id=str(copy.id),
                published_on=copy.published_on,
                until=timezone.localdate(copy.expires_at),
                fields=list(content["fields"]),
            )
        )
    return items


# --- subscribers ---------------------------------------------------------------------------------


def create_subscriber(actor, name: str, lang: str) -> tuple[AlertSubscriber, str]:
    """Make a subscriber and its secret token; the token is returned once and never stored."""
    token = publication.new_feed_token()
    subscriber = AlertSubscriber.objects.create(
        name=name, lang=lang, token_digest=publication.feed_token_digest(token), created_by=actor
    )
    record(actor.username, "subscriber.created", str(subscriber.pk))
    return subscriber, token


def revoke_subscriber(actor, subscriber: AlertSubscriber) -> None:
    """End a subscriber's link: from now on it answers 404."""
    if subscriber.revoked_at is None:
        subscriber.revoked_at = timezone.now()
        subscriber.save(update_fields=["revoked_at"])
        record(actor.username, "subscriber.revoked", str(subscriber.pk))


def subscriber_for(token: str) -> AlertSubscriber | None:
    """The active subscriber whose link carries ``token``, or None (malformed, unknown or revoked)."""
    try:
        digest = publication.feed_token_digest(token)
    except FormatError:
        return None
    subscriber = AlertSubscriber.objects.filter(token_digest=digest, revoked_at__isnull=True).first()
    if subscriber is not None:
        today = timezone.localdate()
        if subscriber.last_read_on != today:
            AlertSubscriber.objects.filter(pk=subscriber.pk).update(last_read_on=today)
    return subscriber
