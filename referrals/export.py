"""A referral as a JSON document a recipient's case-management system can import.

The format is published as a JSON Schema (docs/schema/referral-v1.json, served
read-only at /schema/referral-v1.json) and a test validates every export
against it. The document carries what the recipient may read on the
referral's page and nothing more: the body the advocates sent, the referral's
own id and day, its status and the organisation's name. Never the trace.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from referrals import policy_bridge, presenters
from referrals.models import Referral

FORMAT = "harbor.referral-export/1"
SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "schema" / "referral-v1.json"


@cache
def schema_bytes() -> bytes:
    """The published JSON Schema of the export, as it is in the repository."""
    return SCHEMA_PATH.read_bytes()


def document(referral: Referral, body: dict[str, Any]) -> dict[str, Any]:
    """The export of one referral: stable codes, with English labels and texts beside them."""
    with translation.override("en"):
        fields = [
            {
                "id": f["id"],
                "kind": f["kind"],
                "value": f["value"],
                "label": presenters.field_label(f["id"]),
                "text": policy_bridge.field_text(f),
            }
            for f in body["fields"]
        ]
    return {
        "schema": FORMAT,
        "referral": {
            "id": referral.id,
            "sent_on": timezone.localdate(referral.created_at).isoformat(),
            "status": referral.status,
            "organisation": referral.organisation.name if referral.organisation else "",
        },
        "profile": body["profile"],
        "consent": body["consent"],
        "on_date": body["on_date"],
        "fields": fields,
        "flags": list(body["flags"]),
        "notice": list(body["notice"]),
    }
