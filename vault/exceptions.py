"""Named failures of the vault, so callers never catch a bare Exception."""


class VaultError(Exception):
    """Base class for every vault failure."""


class DecryptionError(VaultError):
    """Ciphertext, key, or bound context (AAD / HPKE info) do not match.

    Raised for tampering, a wrong key and a wrong context alike: the caller
    must not learn which, and neither must an attacker.
    """


class FormatError(VaultError):
    """Stored bytes are not a ciphertext this version of Harbor understands."""


class InvalidReceiptError(VaultError):
    """A receipt is not well formed (wrong length, characters or check symbol)."""


class InvalidPassphraseError(VaultError):
    """A staff key could not be unlocked with the given password."""


class ExpiredTokenError(VaultError):
    """A sealed draft or check token is older than allowed."""


class KeyMissingError(VaultError):
    """No active organisation key exists; run the key ceremony."""


class NotKeyHolderError(VaultError):
    """The acting staff member does not hold (has not unlocked) the organisation key."""


class RotationPendingError(VaultError):
    """An earlier rotation's re-wrap has not finished; finish it before rotating again."""
