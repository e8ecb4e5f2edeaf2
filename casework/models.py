"""Staff accounts' Harbor-specific state, notes and retention rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class Organisation(models.Model):
    """A receiving organisation (victim services, a clinic, …); its users are recipients."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32)  # a policy recipient profile id
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


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
