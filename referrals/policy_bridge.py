"""The staff side's window on the policy engine: a referral's lines as advocates and recipients read them.

A referral is built by the policy engine through the intake's bridge (intake.policy_bridge.build,
the very call that makes the reporter's preview) and its fields are put into words by the one
renderer her preview uses (intake.policy_bridge.field_rows), so what she was shown and what is
sent cannot drift apart. What only the staff side does is here: reading back the fields of a
stored body (a sent referral, a peer alert as published, its feed, PDF and JSON export).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intake.policy_bridge import display_field, field_rows


def field_text(field: Mapping[str, Any]) -> str:
    """Return one stored field's value in the words the form used."""
    return display_field(field["id"], field["kind"], field["value"])


def body_rows(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (label, text) rows of a stored body's fields, in the order they were sent."""
    return field_rows(body["fields"])
