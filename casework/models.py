"""Staff accounts' Harbor-specific state, second factors, notes and retention rules."""

from __future__ import annotations

import time
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from vault import otp as otp_secrets

#: The languages of staff pages and staff e-mail (settings.STAFF_LANGUAGES), with their names.
STAFF_LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES if code in settings.STAFF_LANGUAGES]


class Role(models.TextChoices):
    ADVOCATE = "advocate", _("Advocate")
    RECIPIENT = "recipient", _("Recipient")
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


class StaffProfile(models.Model):
    """Roles and login-failure state of a staff account.

    Lockout is counted per account, never per address: Harbor stores no
    client addresses, and a shared Tor exit must not lock out strangers.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    roles = models.JSONField(default=list)  # list of Role values
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    organisation = models.ForeignKey(
        "casework.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    def __str__(self) -> str:
        return f"profile of user {self.user_id}"

    def has_role(self, role: str) -> bool:
        return role in self.roles


class Authenticator(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's authenticator app: TOTP (RFC 6238), as django-otp's TOTPDevice checks it.

    Unlike TOTPDevice, the seed is never stored in the clear: ``sealed_seed``
    is AES-256-GCM under a key derived from HARBOR_OTP_KEY, which is not in
    the database (vault/otp.py).
    """

    sealed_seed = models.BinaryField()
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last code accepted; only a later one is accepted next.
    last_t = models.BigIntegerField(default=-1)

    @property
    def bin_key(self) -> bytes:
        """The seed, opened for this account (vault.exceptions.DecryptionError if it does not open)."""
        return otp_secrets.open_seed(bytes(self.sealed_seed), self.user_id)

    def set_seed(self, seed: bytes) -> None:
        self.sealed_seed = otp_secrets.seal_seed(seed, self.user_id)

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        """Accept a code of the current time step (give or take ``tolerance``), each only once."""
        try:
            value = int(token)
        except (TypeError, ValueError):
            # A recovery code, tried here first: not a guess at this device, so not counted
            # against it (django-otp counts it, and throttled the next real code).
            return False
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        seed = self.bin_key
        totp = TOTP(seed, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if not totp.verify(value, self.tolerance, self.last_t + 1):
            self.throttle_increment(commit=True)
            return False
        self.last_t = totp.t()
        self.drift = totp.drift
        if not otp_secrets.sealed_with_current_key(bytes(self.sealed_seed)):
            self.set_seed(seed)  # HARBOR_OTP_KEY rotated: move to the new key
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True

    @property
    def config_url(self) -> str:
        """The otpauth:// URL an authenticator app reads from the enrolment QR code."""
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        label = self.user.get_username()
        params = urlencode(
            {"secret": b32encode(self.bin_key), "algorithm": "SHA1", "digits": self.digits, "period": self.step}
        )
        if issuer:
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"


class RecoveryCodes(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's single-use recovery codes, kept only as keyed hashes (vault/otp.py)."""

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        """Accept one of the codes and delete it, so it never works again."""
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        code = str(token).strip().lower()
        # Every stored code is compared (in constant time), not only up to the first match.
        matches = [c.pk for c in self.codes.all() if otp_secrets.recovery_matches(code, self.user_id, c.digest)]
        # The delete decides: of two logins racing with one code, only one deletes it.
        if matches and RecoveryCode.objects.filter(pk=matches[0]).delete()[0]:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCode(models.Model):
    """One unused recovery code, as a keyed hash: it can be recognised, never read back."""

    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.BinaryField()

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


ORGANISATION_NAME_MAX = 200


class Organisation(models.Model):
    """A receiving organisation (victim services, a clinic, …); its users are recipients.

    A retired organisation is offered no more referrals and its users are
    inactive; it stays, so that referrals already sent to it keep their
    recipient's name for the advocates (casework/recipients.py).
    """

    name = models.CharField(max_length=ORGANISATION_NAME_MAX)
    kind = models.CharField(max_length=32)  # a policy recipient profile id
    # Shown to advocates choosing where to refer: a phone number, an address, whom to ask for.
    contact = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One current organisation per name, whatever its case; a retired one's name may be used again.
            models.UniqueConstraint(
                Lower("name"), condition=Q(retired_at__isnull=True), name="one_current_organisation_per_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class Invitation(models.Model):
    """A single-use, expiring link that lets one person make their own account.

    The link's token is never stored: ``token_digest`` is a keyed hash of it
    (vault/invitations.py). Accepting makes the account with these roles, a
    password of the person's choosing and a key pair locked with it.
    """

    token_digest = models.CharField(max_length=128, unique=True)
    username = models.CharField(max_length=150)
    roles = models.JSONField(default=list)  # list of Role values
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Not a column: the state at the time of a listing, set by casework.invitations.listing.
    current_state: str = ""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation {self.pk} for {self.username}"

    def state(self, now=None) -> str:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.PENDING


class Note(models.Model):
    """An internal note on a report, encrypted under the report key (section "notes")."""

    report = models.ForeignKey("intake.Report", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    blob = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class RetentionRule(models.Model):
    """How long a report in a status is kept after its last change, before crypto-shredding."""

    status = models.CharField(max_length=16, unique=True)
    days = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.status}: {self.days} days"


class NotificationPreference(models.Model):
    """What news one staff member wants by e-mail, and where (casework/notifications.py).

    Off until they choose: no row, or every kind False, sends nothing. The address is one the
    person typed on their own Notifications page; nothing else about them is needed.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification")
    email = models.EmailField(blank=True)
    # The digest goes to staff (advocates, and recipients' staff): in the dashboard's languages.
    language = models.CharField(max_length=8, choices=STAFF_LANGUAGE_CHOICES, default="en")
    reports = models.BooleanField(default=False)  # new reports (advocates)
    messages = models.BooleanField(default=False)  # new messages from reporters (advocates)
    referrals = models.BooleanField(default=False)  # new referrals for their organisation (recipients)

    def __str__(self) -> str:
        return f"notifications of user {self.user_id}"


class NotificationMark(models.Model):
    """How far one person's digests have counted one kind of news: a high-water mark by the hour.

    Reporters' rows have random ids and hour-long times, so "newer than the last one seen" cannot
    be asked of them. The mark holds an hour (the newest hour that had rows when it was set) and
    how many rows that hour and the one before it had then; the next digest counts what is beyond.
    No id, no content, no time finer than the rows' own hours. ``scope`` is what the count was
    limited to (a recipient's organisation), so a move to another one starts a fresh count.
    """

    preference = models.ForeignKey(NotificationPreference, on_delete=models.CASCADE, related_name="marks")
    kind = models.CharField(max_length=16)
    scope = models.CharField(max_length=32, blank=True, default="")
    hour = models.DateTimeField()
    seen = models.PositiveIntegerField(default=0)  # rows in [hour, hour + 1 h) when set
    seen_before = models.PositiveIntegerField(default=0)  # rows in [hour - 1 h, hour) when set

    class Meta:
        constraints = [models.UniqueConstraint(fields=["preference", "kind"], name="one_mark_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} mark of {self.preference_id}"
