"""Monthly statistics digests, sealed to the organisation key (since 2026-12).

The statistics page counts crime types and needs over 12 months. Counting them from the
reports means opening every summary: one HPKE unwrap and one AES-GCM open per report, about
seven seconds for 100,000 reports on the benchmark machine. Instead, each month keeps a
*digest*: for each report of the month still held, its id and which crime types and needs its
summary names (one bit each), with the month's counts. The digest is sealed with HPKE to the
organisation's public key (vault.envelope.seal_stats_month), so only a key holder's unlocked
keys open it, exactly like a summary; the server alone reads nothing in it.

On each view, for each month the page asks the database which reports the month holds now (ids
only: the server knows them and the hour each arrived) and compares them with the digest:

- the same reports: the digest's counts are the month's counts (one HPKE unwrap);
- reports added since: their summaries are opened and added; reports gone (withdrawn, purged):
  dropped with their bits. The digest is then sealed again, if every report of the month could
  be opened with the viewer's keys (otherwise it would be missing some).

A report leaving by withdrawal or purge takes its month's digest with it at once
(:func:`forget_month_of`): nothing of it stays sealed anywhere, and the next view rebuilds the
month from the summaries still held. docs/statistics.md and docs/threat-model.md say what a
digest tells a database thief: which months have one, and (from its size) how many reports a
month held when it was sealed, which the hours of the reports already tell.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from casework.models import StatsMonth
from casework.stats import NONE_STATED
from intake.models import Report, Section
from vault import custody, envelope
from vault.exceptions import DecryptionError, FormatError, KeyMissingError
from vault.session import Unlocked

VERSION = 1
_RECORD = struct.Struct(">16sI")  # report id (16 bytes of hex), bits of what its summary names
_HEADER_LEN = struct.Struct(">I")
#: A report of the month without a summary to count (its sections are gone): known, not counted.
_NOT_COUNTED = 1 << 31
LIVE = [s for s in Report.Status.values if s != Report.Status.WITHDRAWN]

Codes = tuple[tuple[str, str], ...]  # (summary field, code); a code's place is its bit


def codes_of(dimensions: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> Codes:
    """Every (field, code) counted, "none stated" of each field included, in bit order."""
    return tuple((key, code) for key, choices in dimensions for code in [*(c for c, _ in choices), NONE_STATED])


@dataclass
class Month:
    """A month's counts: reports counted, and per (field, code)."""

    total: int = 0
    cells: Counter = field(default_factory=Counter)


def _bits(summary: dict, codes: Codes) -> int:
    bits = 0
    for key in dict.fromkeys(k for k, _ in codes):
        named = set(summary.get(key) or ())
        hit = False
        for i, (k, code) in enumerate(codes):
            if k == key and code != NONE_STATED and code in named:
                bits |= 1 << i
                hit = True
        if not hit:
            bits |= 1 << codes.index((key, NONE_STATED))
    return bits


def _count(masks: dict[str, int], codes: Codes) -> Month:
    month = Month()
    for bits, n in Counter(masks.values()).items():
        if bits & _NOT_COUNTED:
            continue
        month.total += n
        for i, code in enumerate(codes):
            if bits >> i & 1:
                month.cells[code] += n
    return month


def _ids_digest(ids: Sequence[str]) -> str:
    return hashlib.sha256("".join(sorted(ids)).encode("ascii")).hexdigest()


def _label(month: date) -> str:
    return f"{month:%Y-%m}"


def _encode(masks: dict[str, int], codes: Codes, counts: Month) -> bytes:
    header = json.dumps(
        {
            "v": VERSION,
            "codes": [list(c) for c in codes],
            "ids": _ids_digest(list(masks)),
            "total": counts.total,
            "cells": [counts.cells.get(c, 0) for c in codes],
        },
        separators=(",", ":"),
    ).encode()
    records = b"".join(_RECORD.pack(bytes.fromhex(rid), bits) for rid, bits in sorted(masks.items()))
    return _HEADER_LEN.pack(len(header)) + header + records


@dataclass
class _Opened:
    header: dict
    payload: bytes

    def counts(self, codes: Codes) -> Month:
        return Month(self.header["total"], Counter(dict(zip(codes, self.header["cells"], strict=True))))

    def masks(self) -> dict[str, int]:
        start = _HEADER_LEN.size + _HEADER_LEN.unpack_from(self.payload)[0]
        return {rid.hex(): bits for rid, bits in _RECORD.iter_unpack(self.payload[start:])}


def _open(row: StatsMonth | None, keys: Unlocked, codes: Codes) -> _Opened | None:
    """The digest, if the viewer's keys open it and it counts what the page counts now."""
    if row is None:
        return None
    org_private = keys.org_key(row.org_key.key_id)
    if org_private is None:
        return None
    try:
        payload = envelope.open_stats_month(org_private, _label(row.month), bytes(row.blob))
        length = _HEADER_LEN.unpack_from(payload)[0]
        header = json.loads(payload[_HEADER_LEN.size : _HEADER_LEN.size + length])
    except (DecryptionError, FormatError, struct.error, ValueError):
        return None
    if header.get("v") != VERSION or [tuple(c) for c in header.get("codes", ())] != list(codes):
        return None  # the categories changed since: count again
    return _Opened(header, payload)


def _summaries(query, keys: Unlocked, codes: Codes, chunk_size: int = 2000) -> tuple[dict[str, int], int]:
    """Open the summaries of the reports of ``query``; return ({report id: bits}, how many could not be opened)."""
    rows = (
        Section.objects.filter(name="summary")
        .filter(query)
        .values_list("report_id", "report__org_key__key_id", "report__dek_org_wrap", "blob")
        .iterator(chunk_size=chunk_size)
    )
    out: dict[str, int] = {}
    unreadable = 0
    for report_id, key_id, wrap, blob in rows:
        org_private = keys.org_key(key_id) if key_id else None
        if org_private is None or wrap is None:
            unreadable += 1
            continue
        try:
            dek = envelope.unwrap_dek_with_org(bytes(wrap), report_id, org_private)
            out[report_id] = _bits(envelope.decrypt_json(dek, report_id, "summary", bytes(blob)), codes)
        except DecryptionError:
            unreadable += 1
    return out, unreadable


def _bounds(month: date) -> tuple[datetime, datetime]:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (
        timezone.make_aware(datetime.combine(month, time.min)),
        timezone.make_aware(datetime.combine(following, time.min)),
    )


def month_counts(
    months: Sequence[date], dimensions: Sequence[tuple[str, Sequence[tuple[str, str]]]], keys: Unlocked
) -> tuple[list[Month], int]:
    """Per month, the reports counted and the count of each (field, code); and how many could not be opened."""
    from django.db.models import Q

    codes = codes_of(dimensions)
    stored = {row.month: row for row in StatsMonth.objects.filter(month__in=months).select_related("org_key")}
    try:
        active = custody.active_org_key()
    except KeyMissingError:
        active = None
    out: list[Month] = []
    unreadable = 0
    for month in months:
        start, end = _bounds(month)
        ids = list(
            Report.objects.filter(status__in=LIVE, received_at__gte=start, received_at__lt=end).values_list(
                "id", flat=True
            )
        )
        digest = _open(stored.get(month), keys, codes)
        if digest is not None and digest.header["ids"] == _ids_digest(ids):
            out.append(digest.counts(codes))
            continue
        if digest is None:
            masks, missing = _summaries(
                Q(report__status__in=LIVE, report__received_at__gte=start, report__received_at__lt=end), keys, codes
            )
        else:
            masks = digest.masks()
            current = set(ids)
            masks = {rid: bits for rid, bits in masks.items() if rid in current}
            new = [rid for rid in ids if rid not in masks]
            missing = 0
            for i in range(0, len(new), 2000):
                opened, lost = _summaries(Q(report_id__in=new[i : i + 2000]), keys, codes)
                masks.update(opened)
                missing += lost
        unreadable += missing
        for rid in ids:
            masks.setdefault(rid, _NOT_COUNTED)  # no summary to count (or none this viewer opens)
        counts = _count(masks, codes)
        out.append(counts)
        if missing == 0 and active is not None:
            blob = envelope.seal_stats_month(bytes(active.public_key), _label(month), _encode(masks, codes, counts))
            StatsMonth.objects.update_or_create(month=month, defaults={"org_key": active, "blob": blob})
    return out, unreadable


def forget_month_of(report: Report) -> None:
    """Delete the digest of the month ``report`` arrived in: it leaves, and nothing of it stays sealed."""
    if report.received_at is not None:
        StatsMonth.objects.filter(month=timezone.localtime(report.received_at).date().replace(day=1)).delete()
