"""Public keys and wrapped private keys. No private key is stored unwrapped."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OrgKey(models.Model):
    """The organisation's intake key pair: the public half encrypts every new report.

    The private half exists only wrapped (HPKE) to each key holder's public
    key, in :class:`OrgKeyGrant`. Rotation makes a new active key; old keys
    stay until every report wrapped to them is re-wrapped, then are retired:
    their grants are deleted and only the public half stays, as a record
    (vault/rotation.py).
    """

    key_id = models.CharField(max_length=16, unique=True)  # hex of vault.crypto.key_id
    public_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)
    # Set by a rotation: new reports stop using this key (after each process's
    # 30-second cache of the active key runs out).
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Set once every report has been re-wrapped to a newer key and this key's
    # grants are deleted: no one can open anything with it any more.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"org key {self.key_id}"


class StaffKey(models.Model):
    """A staff member's hybrid key pair; the private half under Argon2id(password)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_key")
    key_id = models.CharField(max_length=16, unique=True)
    public_key = models.BinaryField()
    private_blob = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"staff key {self.key_id}"


class OrgKeyGrant(models.Model):
    """The organisation private key wrapped to one key holder."""

    org_key = models.ForeignKey(OrgKey, on_delete=models.CASCADE, related_name="grants")
    staff_key = models.ForeignKey(StaffKey, on_delete=models.CASCADE, related_name="grants")
    wrapped = models.BinaryField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_key", "staff_key"], name="one_grant_per_holder")]

    def __str__(self) -> str:
        return f"grant of {self.org_key_id} to {self.staff_key_id}"
