"""Exceptions raised by the policy engine.

Messages name files, keys and field ids, never report content: an exception may end up in a
log or an error report, and report content must never reach either.
"""

from __future__ import annotations

from pathlib import Path


class PolicyError(Exception):
    """Base class for every error the policy engine raises on purpose."""


class DataFileError(PolicyError):
    """A catalogue, profile, pack or phrase file is malformed or breaks an invariant."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {problem}")


class ConsentMissing(PolicyError):
    """The report's consent does not include the consent the recipient profile requires."""

    def __init__(self, profile: str, required: str) -> None:
        self.profile = profile
        self.required = required
        super().__init__(f"profile {profile!r} requires consent {required!r}, which the report does not give")


class ConsentConflict(ConsentMissing):
    """The report asks for "record only" and for sharing at the same time; share nothing."""

    def __init__(self, profile: str, required: str) -> None:
        super().__init__(profile, required)
        self.args = (
            f"report consents to {required!r} and to 'record_only' at once; "
            "an advocate must confirm with the reporter before anything is shared",
        )


class NotNarrower(PolicyError):
    """An edited referral holds something the built referral does not (an addition or restoration)."""

    def __init__(self, field_id: str, problem: str) -> None:
        self.field_id = field_id
        self.problem = problem
        super().__init__(f"{field_id}: {problem}" if field_id else problem)


class RedactorUnavailable(PolicyError):
    """The free-text redactor (policy.redact) cannot be imported; no text may leave unredacted."""
