"""Referrals as stored: who sent what kind to whom and when; the content only as ciphertext."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.models import HourDateTimeField


def new_referral_id() -> str:
    return secrets.token_hex(16)


class Referral(models.Model):
    """One referral of a report to a receiving organisation (or a peer safety alert).

    ``body`` is the policy engine's output (without its trace) encrypted under
    a fresh referral key; ``ReferralWrap`` rows wrap that key to each user of
    the receiving organisation, and ``org_wrap`` to the organisation intake
    key so advocates can follow it. The trace, for advocates only, is
    encrypted under the report's key. A recipient never gets the report key.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, not opened yet")
        OPENED = "opened", _("Opened")
        CONTACTED = "contacted", _("Reporter contacted")
        PROVIDED = "services_provided", _("Services provided")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked before it was opened")
        WITHDRAWN = "withdrawn", _("Consent withdrawn after it was opened")
        DRAFT_ALERT = "alert_review", _("Safety alert waiting for a second advocate")
        REJECTED = "alert_rejected", _("Safety alert sent back by the second advocate")
        PUBLISHED = "published", _("Safety alert published")
        RETRACTED = "retracted", _("Safety alert retracted")
        EXPIRED = "alert_expired", _("Safety alert expired")

    RECIPIENT_STATUSES = ("contacted", "services_provided", "declined")
    # An alert in one of these is over: nothing moves it again.
    ALERT_ENDED = ("alert_rejected", "retracted", "alert_expired")

    id = models.CharField(primary_key=True, max_length=32, default=new_referral_id, editable=False)
    report = models.ForeignKey("intake.Report", null=True, on_delete=models.SET_NULL, related_name="referrals")
    organisation = models.ForeignKey(
        "casework.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    profile = models.CharField(max_length=32)  # a policy recipient profile id; its consent code is the same
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT, db_index=True)
    # To the hour: a consent change or a withdrawal moves it, and the reporter's
    # action must not be dated to the second (docs/threat-model.md).
    status_changed_at = HourDateTimeField(auto_now=True)
    body = models.BinaryField()
    trace = models.BinaryField(null=True)
    org_key = models.ForeignKey("vault.OrgKey", null=True, on_delete=models.PROTECT, related_name="+")
    org_wrap = models.BinaryField(null=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"referral {self.id[:8]} ({self.profile}, {self.status})"

    @property
    def is_alert(self) -> bool:
        return self.profile == "peer_alert"

    @property
    def is_closed_to_recipient(self) -> bool:
        return self.status in (self.Status.REVOKED, self.Status.WITHDRAWN)


class ReferralWrap(models.Model):
    """The referral key wrapped (HPKE) to one recipient user's public key."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="wraps")
    staff_key = models.ForeignKey("vault.StaffKey", on_delete=models.CASCADE, related_name="+")
    wrapped = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "staff_key"], name="one_wrap_per_recipient_key")]

    def __str__(self) -> str:
        return f"wrap of referral {self.referral_id[:8]} for key {self.staff_key_id}"


class ReferralMessage(models.Model):
    """A message between the recipient organisation and the advocates, under the referral key."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    from_recipient = models.BooleanField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    blob = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"message {self.pk} on referral {self.referral_id[:8]}"


class AlertReview(models.Model):
    """A second advocate's decision on a safety alert: publish it, or send it back with a reason.

    The author of an alert can never be its reviewer (referrals/alerts.py). The
    reason is encrypted under the referral key, like a referral message: it may
    quote what the alert says.
    """

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved = models.BooleanField()
    decided_at = models.DateTimeField(auto_now_add=True)
    reason = models.BinaryField(null=True)

    def __str__(self) -> str:
        return f"review of alert {self.referral_id[:8]} ({'approved' if self.approved else 'sent back'})"


def new_public_id() -> uuid.UUID:
    return uuid.uuid4()


class PublishedAlert(models.Model):
    """The published copy of a safety alert: what subscribers and bulletins carry, and nothing else.

    ``id`` is random (a version 4 UUID, the Atom entry id) and derives from
    neither the referral nor the report; no URL, id or time Harbor publishes
    leads back to them. ``blob`` is the alert's fields sealed for the server
    (vault/publication.py): the feed is served with no advocate present. The
    row goes when the alert is retracted or expires.
    """

    id = models.UUIDField(primary_key=True, default=new_public_id, editable=False)
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="publication")
    published_on = models.DateField()
    expires_at = models.DateTimeField(db_index=True)
    blob = models.BinaryField()

    class Meta:
        ordering = ["-published_on", "id"]

    def __str__(self) -> str:
        return f"published alert {self.id}"


class AlertSubscriber(models.Model):
    """Someone who receives the published alerts through a secret feed link (e.g. "outreach van").

    The link's token is shown once; only its keyed hash is kept
    (vault.publication.feed_token_digest). A revoked subscriber's link answers 404.
    """

    class Language(models.TextChoices):
        """Every reporter language, named in itself: workers read the alerts (docs/translations.md)."""

        ENGLISH = "en", "English"
        SPANISH = "es", "Español"
        TRADITIONAL_CHINESE = "zh-hant", "繁體中文"
        SIMPLIFIED_CHINESE = "zh-hans", "简体中文"
        TAGALOG = "tl", "Tagalog"
        VIETNAMESE = "vi", "Tiếng Việt"
        KOREAN = "ko", "한국어"
        THAI = "th", "ไทย"

    name = models.CharField(max_length=100)
    lang = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    token_digest = models.CharField(max_length=64, unique=True)
    feed_id = models.UUIDField(default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The day the link was last read (not the time: a feed reader's polling is nobody's business).
    last_read_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"alert subscriber {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
