"""Build referrals: what one recipient may receive from one report, and nothing more.

Threat: a referral leaves the hosting organisation (often into a prosecutor's office, where
nothing stops its use) and must not carry anything that incriminates the reporter. So:

* deny by default: a field leaves only if the profile allows it, the catalogue knows it, no
  tag on it forbids it, and its value parses; unknown keys and codes never pass;
* free text always goes through the redactor (policy.freetext), with the reporter's own name,
  phone, email and handle as known values to remove, and then waits: it is *held*, outside
  the referral, until an advocate who has read it (with the redactor's review flags) includes
  it. The redactor is an aid to that person, not a substitute;
* the protections notice goes only where the reporter asked that protections be invoked, and
  names only the packs the caller passes (the organisation's jurisdiction);
* contact details leave only when the reporter said yes to sharing them and the profile names
  them;
* once built, a referral can only lose content: `without_field` and `strike` return new,
  narrower referrals, and `verify_narrower` rejects anything posted back that is not derivable
  from the built referral by removals alone;
* the trace says which rules fired and what was removed, by field id and count only; it stays
  with the advocates (`to_dict()` leaves it out unless asked), because even "ctx_drugs removed"
  would tell a recipient something.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

from ._data import LANGS
from .assess import assess
from .catalogue import CONTACT_TAGS, NEVER_SHARED_TAGS, FieldSpec
from .errors import ConsentConflict, ConsentMissing, NotNarrower
from .freetext import REMOVED, Redaction, Redactor, default_redactor, derivable, redact_free_text
from .generalise import RULE_KINDS, Rule, apply_rule
from .language import UNKNOWN, Detection
from .language import detect as detect_language
from .packs import Pack, weakest
from .profiles import Profile

SCHEMA: Final = "harbor.referral/1"
#: Kinds a referral field can have: the catalogue kinds, plus what generalisation produces.
OUT_KINDS: Final = ("text", "choice", "multi", "date", "time", "week", "month", "part_of_day")
_TEXT_KINDS: Final = frozenset({"text"})
_TAG_RE: Final = re.compile(r"[a-z0-9_.]{1,40}\Z")
_FIELD_ID_RE: Final = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")


# --- the redactor seam: policy.freetext --------------------------------------------------------

# Re-exported: the referral's free text takes freetext's one path, and tests reach it from here.
__all__ = [
    "REMOVED",
    "SCHEMA",
    "HeldText",
    "NoticeItem",
    "OutField",
    "Redactor",
    "Referral",
    "Trace",
    "apply_edits",
    "build_referral",
    "default_redactor",
    "derivable",
    "verify_narrower",
]


# --- value types ----------------------------------------------------------------------------

Value = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutField:
    """One field as it leaves: id, output kind and (generalised, redacted) value."""

    id: str
    kind: str
    value: Value

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "id": self.id,
            "kind": self.kind,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
        }


@dataclass(frozen=True, slots=True)
class NoticeItem:
    """A protection that applies (or may apply) to the report, in staff/citation form."""

    pack: str
    protection: str
    status: str
    verification: str
    citation: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "pack": self.pack,
            "protection": self.protection,
            "status": self.status,
            "verification": self.verification,
            "citation": self.citation,
            "text": self.text,
        }


Counts = tuple[tuple[str, int], ...]


def _counts(counter: Mapping[str, int]) -> Counts:
    return tuple(sorted((k, v) for k, v in counter.items() if v))


@dataclass(frozen=True, slots=True)
class Trace:
    """What the policy did, for the advocate. Ids, rule names and counts: never content."""

    rules: tuple[str, ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    generalised: tuple[tuple[str, str], ...] = ()
    unknown_fields: int = 0
    values_dropped: Counts = ()
    removed_by_tag: Counts = ()
    spans_by_tag: Counts = ()
    spans_by_field: Counts = ()
    staff_removed: tuple[str, ...] = ()
    staff_struck: Counts = ()
    held: tuple[str, ...] = ()
    included: tuple[str, ...] = ()
    flags_by_reason: Counts = ()
    flags_by_field: Counts = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "rules": list(self.rules),
            "removed": [{"field": f, "rule": r} for f, r in self.removed],
            "generalised": [{"field": f, "rule": r} for f, r in self.generalised],
            "unknown_fields": self.unknown_fields,
            "values_dropped": dict(self.values_dropped),
            "removed_by_tag": dict(self.removed_by_tag),
            "spans_by_tag": dict(self.spans_by_tag),
            "spans_by_field": dict(self.spans_by_field),
            "staff_removed": list(self.staff_removed),
            "staff_struck": dict(self.staff_struck),
            "held": list(self.held),
            "included": list(self.included),
            "flags_by_reason": dict(self.flags_by_reason),
            "flags_by_field": dict(self.flags_by_field),
        }

    @classmethod
    def from_dict(cls, d: Any) -> Trace:
        """Rebuild a trace from `to_dict()` output; raise ValueError on anything else."""
        if not isinstance(d, Mapping) or set(d) != set(cls().to_dict()):
            raise ValueError("trace: wrong keys")

        def pairs(key: str, a: str, b: str) -> tuple[tuple[str, str], ...]:
            items = d[key]
            if not isinstance(items, list) or not all(
                isinstance(i, Mapping) and set(i) == {a, b} and all(isinstance(i[k], str) for k in (a, b))
                for i in items
            ):
                raise ValueError(f"trace.{key}: malformed")
            return tuple((i[a], i[b]) for i in items)

        def counts(key: str) -> Counts:
            items = d[key]
            if not isinstance(items, Mapping) or not all(
                isinstance(k, str) and type(v) is int and v >= 0 for k, v in items.items()
            ):
                raise ValueError(f"trace.{key}: malformed")
            return _counts(items)

        def strs(key: str) -> tuple[str, ...]:
            items = d[key]
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise ValueError(f"trace.{key}: malformed")
            return tuple(items)

        unknown = d["unknown_fields"]
        if type(unknown) is not int or unknown < 0:
            raise ValueError("trace.unknown_fields: malformed")
        return cls(
            rules=strs("rules"),
            removed=pairs("removed", "field", "rule"),
            generalised=pairs("generalised", "field", "rule"),
            unknown_fields=unknown,
            values_dropped=counts("values_dropped"),
            removed_by_tag=counts("removed_by_tag"),
            spans_by_tag=counts("spans_by_tag"),
            spans_by_field=counts("spans_by_field"),
            staff_removed=strs("staff_removed"),
            staff_struck=counts("staff_struck"),
            held=strs("held"),
            included=strs("included"),
            flags_by_reason=counts("flags_by_reason"),
            flags_by_field=counts("flags_by_field"),
        )


def _add_rule(trace: Trace, rule: str) -> tuple[str, ...]:
    return tuple(sorted({*trace.rules, rule}))


def _bump(counts: Counts, key: str) -> Counts:
    c = Counter(dict(counts))
    c[key] += 1
    return _counts(c)


NOT_DETECTED: Final = Detection(UNKNOWN, ())


@dataclass(frozen=True, slots=True)
class HeldText:
    """A free-text field waiting for a person: it leaves only if an advocate includes it.

    ``field`` is what would leave (redacted); ``redaction`` holds the original, the removed
    runs and the review flags, for the advocate's screen. Never serialised: it is content.
    """

    field: OutField
    redaction: Redaction
    #: The languages the reporter wrote it in (policy.language). Automatic removal reads English
    #: and Spanish only: for any other language nothing was removed that a person must not check.
    language: Detection = NOT_DETECTED

    @property
    def id(self) -> str:
        return self.field.id

    @property
    def automatic(self) -> bool:
        """Whether the redactor's detectors read every language of this answer."""
        return self.language.automatic


@dataclass(frozen=True, slots=True)
class Referral:
    """A built referral. Immutable; the only edits are removals, and they return new referrals.

    Free text is never in ``fields`` when built: it waits in ``held`` until an advocate who has
    read it calls :meth:`include`. ``held`` and ``order`` are the advocate's; ``to_dict()``
    leaves them out.
    """

    profile: str
    consent: str
    on_date: date
    fields: tuple[OutField, ...]
    flags: tuple[str, ...] = ()
    notice: tuple[NoticeItem, ...] = ()
    trace: Trace = Trace()
    schema: str = SCHEMA
    # The advocate's, not the recipient's: not serialised, and not part of what makes two
    # referrals the same (a referral read back from its JSON equals the one that was sent).
    held: tuple[HeldText, ...] = field(default=(), compare=False)
    order: tuple[str, ...] = field(default=(), compare=False)

    def held_text(self, field_id: str) -> HeldText | None:
        """Return the held free-text field with this id, or None."""
        for h in self.held:
            if h.id == field_id:
                return h
        return None

    def include(self, field_id: str) -> Referral:
        """Return a referral where the held field ``field_id`` leaves; raise KeyError if none is held.

        Call it only for a field an advocate has read and ticked: this is the person's decision
        the policy waits for.
        """
        h = self.held_text(field_id)
        if h is None:
            raise KeyError(field_id)
        rank = {fid: i for i, fid in enumerate(self.order)}
        fields = tuple(sorted((*self.fields, h.field), key=lambda f: rank.get(f.id, len(rank))))
        trace = replace(
            self.trace,
            rules=_add_rule(self.trace, "review.included"),
            included=tuple(sorted({*self.trace.included, field_id})),
        )
        return replace(self, fields=fields, held=tuple(x for x in self.held if x.id != field_id), trace=trace)

    @property
    def field_ids(self) -> tuple[str, ...]:
        """Return the ids of the fields that leave, in form order."""
        return tuple(f.id for f in self.fields)

    def get(self, field_id: str) -> OutField | None:
        """Return one field, or None if it does not leave."""
        for f in self.fields:
            if f.id == field_id:
                return f
        return None

    def values(self) -> dict[str, Value]:
        """Return {field id: value} for the fields that leave."""
        return {f.id: f.value for f in self.fields}

    def without_field(self, field_id: str) -> Referral:
        """Return a referral without this field; raise KeyError if it is not in the referral."""
        if self.get(field_id) is None:
            raise KeyError(field_id)
        trace = replace(
            self.trace,
            rules=_add_rule(self.trace, "staff.without_field"),
            staff_removed=tuple(sorted({*self.trace.staff_removed, field_id})),
        )
        return replace(self, fields=tuple(f for f in self.fields if f.id != field_id), trace=trace)

    def strike(self, field_id: str, start: int, end: int) -> Referral:
        """Return a referral where text[start:end] of a text field is replaced by REMOVED.

        A range that cuts into an existing marker is widened to cover it, and adjacent markers
        merge, so the result never holds half a marker. Raise KeyError for an absent field,
        TypeError for a field that is not text, ValueError for an empty or out-of-range range.
        """
        f = self.get(field_id)
        if f is None:
            raise KeyError(field_id)
        if f.kind not in _TEXT_KINDS or not isinstance(f.value, str):
            raise TypeError(f"{field_id} is not a text field")
        text = f.value
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"{field_id}: range must satisfy 0 <= start < end <= {len(text)}")
        for m in re.finditer(re.escape(REMOVED), text):
            if m.start() < end and m.end() > start:
                start, end = min(start, m.start()), max(end, m.end())
        struck = _merge_markers(text[:start] + REMOVED + text[end:])
        fields = tuple(replace(g, value=struck) if g.id == field_id else g for g in self.fields)
        trace = replace(
            self.trace,
            rules=_add_rule(self.trace, "staff.strike"),
            staff_struck=_bump(self.trace.staff_struck, field_id),
        )
        return replace(self, fields=fields, trace=trace)

    def to_dict(self, *, include_trace: bool = False) -> dict[str, Any]:
        """Return the referral as a JSON-ready dict.

        Without `include_trace` this is exactly what the recipient may read. The trace is for
        the advocates: its field ids and counts would tell a recipient what was removed.
        """
        d: dict[str, Any] = {
            "schema": self.schema,
            "profile": self.profile,
            "consent": self.consent,
            "on_date": self.on_date.isoformat(),
            "fields": [f.to_dict() for f in self.fields],
            "flags": list(self.flags),
            "notice": [n.to_dict() for n in self.notice],
        }
        if include_trace:
            d["trace"] = self.trace.to_dict()
        return d

    def to_json(self, *, include_trace: bool = False) -> str:
        """Return deterministic JSON: sorted keys, no whitespace, UTF-8 text left unescaped."""
        return json.dumps(
            self.to_dict(include_trace=include_trace), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )

    @classmethod
    def from_dict(cls, d: Any) -> Referral:
        """Rebuild a referral from `to_dict()` output (e.g. after decryption); raise ValueError."""
        if not isinstance(d, Mapping):
            raise ValueError("referral must be a mapping")
        required = {"schema", "profile", "consent", "on_date", "fields", "flags", "notice"}
        keys = set(d)
        if not required <= keys or keys - required - {"trace"}:
            raise ValueError("referral: wrong keys")
        if d["schema"] != SCHEMA:
            raise ValueError(f"referral: unsupported schema (expected {SCHEMA})")
        for key in ("profile", "consent", "on_date"):
            if not isinstance(d[key], str):
                raise ValueError(f"referral.{key}: must be a string")
        try:
            on_date = date.fromisoformat(d["on_date"])
        except ValueError:
            raise ValueError("referral.on_date: not an ISO date") from None
        fields = tuple(_parse_field(item) for item in _list(d["fields"], "fields"))
        if len({f.id for f in fields}) != len(fields):
            raise ValueError("referral.fields: duplicate field id")
        flags = _list(d["flags"], "flags")
        if not all(isinstance(x, str) for x in flags):
            raise ValueError("referral.flags: must be strings")
        notice = [_parse_notice(n) for n in _list(d["notice"], "notice")]
        trace = Trace.from_dict(d["trace"]) if "trace" in d else Trace()
        return cls(d["profile"], d["consent"], on_date, fields, tuple(flags), tuple(notice), trace)

    @classmethod
    def from_json(cls, text: str) -> Referral:
        """Rebuild a referral from `to_json()` output."""
        return cls.from_dict(json.loads(text))


def _list(value: Any, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"referral.{key}: must be a list")
    return value


_NOTICE_KEYS: Final = ("pack", "protection", "status", "verification", "citation", "text")


def _parse_notice(n: Any) -> NoticeItem:
    if (
        not isinstance(n, Mapping)
        or set(n) != set(_NOTICE_KEYS)
        or not all(isinstance(n[k], str) for k in _NOTICE_KEYS)
    ):
        raise ValueError("referral.notice: malformed item")
    return NoticeItem(*(n[k] for k in _NOTICE_KEYS))


def _parse_field(item: Any) -> OutField:
    if not isinstance(item, Mapping) or set(item) != {"id", "kind", "value"}:
        raise ValueError("referral.fields: each item needs exactly id, kind and value")
    fid, kind, value = item["id"], item["kind"], item["value"]
    if not isinstance(fid, str) or not _FIELD_ID_RE.match(fid):
        raise ValueError("referral.fields: malformed field id")
    if kind not in OUT_KINDS:
        raise ValueError(f"referral.fields[{fid}]: unknown kind")
    if kind == "multi":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"referral.fields[{fid}]: a multi value must be a list of strings")
        return OutField(fid, kind, tuple(value))
    if not isinstance(value, str):
        raise ValueError(f"referral.fields[{fid}]: value must be a string")
    return OutField(fid, kind, value)


def _merge_markers(text: str) -> str:
    double = REMOVED + REMOVED
    while double in text:
        text = text.replace(double, REMOVED)
    return text


def _normalise_text(text: str) -> str:
    # Browsers post textareas with CRLF; the same text must compare equal however it came.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- building -------------------------------------------------------------------------------


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGS)}")


def _absent(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str | list | tuple) and len(value) == 0)
        or (isinstance(value, str) and not value.strip())
    )


def _consents(report: Mapping[str, Any]) -> frozenset[str]:
    value = report.get("consent")
    if not isinstance(value, list | tuple):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, str))


def _known_values(report: Mapping[str, Any], profile: Profile) -> tuple[str, ...]:
    out = []
    for spec in profile.catalogue.with_tag("pii.reporter"):
        value = report.get(spec.id)
        if isinstance(value, str) and value.strip():
            out.append(_normalise_text(value).strip())
    return tuple(sorted(set(out)))


def _normalise(spec: FieldSpec, raw: Any) -> tuple[Value | None, int]:
    """Return (validated value or None, number of codes dropped)."""
    if spec.kind == "text":
        if not isinstance(raw, str):
            return None, 0
        text = _normalise_text(raw).strip()
        return (text or None), 0
    if spec.kind == "choice":
        return (raw if isinstance(raw, str) and raw in spec.values else None), 0
    if spec.kind == "multi":
        if not isinstance(raw, list | tuple):
            return None, 0
        valid = tuple(c for c in spec.values if c in raw)
        dropped = sum(1 for v in raw if not (isinstance(v, str) and v in spec.values))
        return (valid or None), dropped
    if spec.kind == "date":
        return apply_rule("date", raw), 0
    if spec.kind == "time":
        return (raw if apply_rule("part_of_day", raw) is not None else None), 0
    return None, 0


class _Builder:
    """The accumulators of one build: what leaves, what is held, and the trace of why."""

    def __init__(self, report: Mapping[str, Any], profile: Profile, redactor: Redactor | None) -> None:
        self.report = report
        self.profile = profile
        self.redactor = redactor
        self.share_contact = report.get("consent_share_contact") == "yes"
        self.known = _known_values(report, profile)
        self.rules: set[str] = {"allowlist", f"consent.{profile.consent}"}
        self.removed: list[tuple[str, str]] = []
        self.generalised: list[tuple[str, str]] = []
        self.values_dropped: Counter[str] = Counter()
        self.removed_by_tag: Counter[str] = Counter()
        self.spans_by_tag: Counter[str] = Counter()
        self.spans_by_field: Counter[str] = Counter()
        self.flags_by_reason: Counter[str] = Counter()
        self.flags_by_field: Counter[str] = Counter()
        self.out: list[OutField] = []
        self.held: list[HeldText] = []
        self.order: list[str] = []
        # Counted, never named: a forged key is itself content.
        self.unknown = sum(1 for key in report if key not in profile.catalogue)
        if self.unknown:
            self.rules.add("deny.unknown_field")

    def drop(self, spec: FieldSpec, rule: str) -> None:
        self.removed.append((spec.id, rule))
        self.rules.add(rule)
        self.removed_by_tag.update(spec.tags)

    def consider(self, spec: FieldSpec) -> None:
        """Decide one catalogue field: leave, hold for a person, or drop (with the rule why)."""
        if spec.id not in self.report or _absent(self.report[spec.id]):
            return
        via_contact = self._admitted(spec)
        if via_contact is None:
            return
        found = self._value(spec)
        if found is None:
            return
        value, kind = found
        if kind == "text" and isinstance(value, str):
            self._hold(spec, value, via_contact=via_contact)
            return
        if via_contact:
            self.rules.add("contact.shared")
        self.out.append(OutField(spec.id, kind, value))
        self.order.append(spec.id)

    def _admitted(self, spec: FieldSpec) -> bool | None:
        """Return whether the field comes in as a contact detail, or None when it may not come."""
        if spec.never_shared:
            self.drop(spec, "deny.never_shared")
            return None
        via_contact = spec.id in self.profile.contact
        if via_contact and not self.share_contact:
            self.drop(spec, "deny.contact_consent")
            return None
        if not via_contact and spec.id not in self.profile.allow:
            self.drop(spec, "deny.not_in_profile")
            return None
        return via_contact

    def _value(self, spec: FieldSpec) -> tuple[Value, str] | None:
        """Return the field's validated, generalised value and its output kind, or None (dropped)."""
        value, dropped = _normalise(spec, self.report[spec.id])
        if dropped:
            self.values_dropped[spec.id] += dropped
            self.rules.add("deny.invalid_value")
        if value is None:
            self.drop(spec, "deny.invalid_value")
            return None
        kind: str = spec.kind
        g = self.profile.generalisation(spec.id)
        if g is not None:
            value = _generalise(g.rule, dict(g.mapping), value)
            if value is None or value == ():
                self.drop(spec, "deny.invalid_value")
                return None
            kind = RULE_KINDS[g.rule][1] or kind
            self.generalised.append((spec.id, g.rule_id))
            self.rules.add(g.rule_id)
        # Defence in depth: the profile loader already forces these codes through a map.
        if kind in ("choice", "multi"):
            codes = value if isinstance(value, tuple) else (value,)
            if any(spec.tags_of_value(c) & NEVER_SHARED_TAGS for c in codes):
                self.drop(spec, "deny.value_tag")
                return None
        return value, kind

    def _hold(self, spec: FieldSpec, value: str, *, via_contact: bool) -> None:
        """Redact free text and hold it: it leaves only when an advocate includes it."""
        if self.redactor is None:
            self.redactor = default_redactor()  # only when there is text to redact
        if via_contact and "pii.reporter" in spec.tags:
            # Shared on purpose, with consent: the reporter's own contact detail stays, but
            # anything else typed into the field ("I was working...") is redacted as usual.
            self.rules.add("contact.shared")
            keep = CONTACT_TAGS
        else:
            keep = spec.redact_keep
        redaction = redact_free_text(value, known=self.known, keep=keep, redactor=self.redactor)
        self.rules.update(("redact.free_text", "review.held"))
        for s in redaction.spans:
            self.spans_by_tag[s.tag if _TAG_RE.match(s.tag) else "other"] += 1
        self.spans_by_field[spec.id] += len(redaction.spans)
        for f in redaction.flags:
            self.flags_by_reason[f.reason if _TAG_RE.match(f.reason) else "other"] += 1
        self.flags_by_field[spec.id] += len(redaction.flags)
        self.held.append(HeldText(OutField(spec.id, "text", redaction.text), redaction, detect_language(value)))
        self.order.append(spec.id)

    def minor_flags(self) -> tuple[str, ...]:
        if self.report.get("reporter_under_18") != "yes":
            return ()
        if any(f.id == "reporter_under_18" for f in self.out):
            self.rules.add("flag.minor")
            return ("minor",)
        # Mandatory reporting still binds the advocates; the trace reminds them.
        self.rules.add("flag.minor_withheld")
        return ()

    def notice(self, packs: Iterable[Pack], on_date: date) -> tuple[NoticeItem, ...]:
        if not self.profile.protections_notice:
            return ()
        if self.report.get("consent_protections") != "yes":
            # Naming the protections names the reporter's work: only where she asked for them.
            self.rules.add("notice.not_asked")
            return ()
        self.rules.add("notice.protections")
        return _notice({f.id: f.value for f in self.out}, packs, on_date)

    def trace(self) -> Trace:
        return Trace(
            rules=tuple(sorted(self.rules)),
            removed=tuple(self.removed),
            generalised=tuple(self.generalised),
            unknown_fields=self.unknown,
            values_dropped=_counts(self.values_dropped),
            removed_by_tag=_counts(self.removed_by_tag),
            spans_by_tag=_counts(self.spans_by_tag),
            spans_by_field=_counts(self.spans_by_field),
            held=tuple(h.id for h in self.held),
            flags_by_reason=_counts(self.flags_by_reason),
            flags_by_field=_counts(self.flags_by_field),
        )


def _generalise(rule: Rule, mapping: dict[str, str], value: Value) -> Value | None:
    if isinstance(value, tuple):
        mapped = (apply_rule(rule, v, mapping) for v in value)
        return tuple(dict.fromkeys(v for v in mapped if v is not None))
    return apply_rule(rule, value, mapping)


def build_referral(
    report: Mapping[str, Any],
    profile: Profile,
    packs: Iterable[Pack],
    *,
    on_date: date,
    lang: str = "en",
    redactor: Redactor | None = None,
) -> Referral:
    """Build the referral `profile` may receive from `report` on `on_date`.

    `lang` is the language of the report's free text (for the redactor's detectors). Raise
    ConsentMissing if the report's `consent` lacks the profile's consent code (ConsentConflict
    if it also says record_only), RedactorUnavailable if text must be redacted and the
    redactor cannot be loaded.
    """
    if not isinstance(report, Mapping):
        raise TypeError("report must be a mapping of field ids to values")
    _check_lang(lang)
    consents = _consents(report)
    if profile.consent not in consents:
        raise ConsentMissing(profile.id, profile.consent)
    if "record_only" in consents:
        raise ConsentConflict(profile.id, profile.consent)
    build = _Builder(report, profile, redactor)
    for spec in profile.catalogue.fields:
        build.consider(spec)
    flags = build.minor_flags()
    notice = build.notice(packs, on_date)
    return Referral(
        profile.id,
        profile.consent,
        on_date,
        tuple(build.out),
        flags,
        notice,
        build.trace(),
        held=tuple(build.held),
        order=tuple(build.order),
    )


def _notice(values: Mapping[str, Value], packs: Iterable[Pack], on_date: date) -> tuple[NoticeItem, ...]:
    # Built from the fields that leave, never from the full report: the notice must not say
    # more than the referral itself.
    view = {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items() if k in ("crime_types", "role")}
    assessment = assess(view, packs, on_date)
    return tuple(
        NoticeItem(
            pack=p.pack,
            protection=p.id,
            status=p.status,
            verification=weakest(p.verification, p.effective_verification),
            citation=p.citation,
            text=p.staff,
        )
        for p in assessment.protections()
        if p.scope == "reporting" and p.status in ("applies", "may_apply")
    )


# --- checking staff edits -------------------------------------------------------------------


def verify_narrower(edited: Referral | Mapping[str, Any], built: Referral) -> None:
    """Raise NotNarrower unless `edited` is `built` with fields removed or text struck.

    `edited` is a Referral or its `to_dict()` form, as posted back from a staff form: only
    "fields" is required; any other top-level key present must equal the built one ("trace" is
    ignored: the server keeps its own). Text values must be derivable from the built text by
    replacing substrings with REMOVED; every other value must be unchanged. Error messages name
    field ids only, never posted content.
    """
    e = edited.to_dict() if isinstance(edited, Referral) else edited
    if not isinstance(e, Mapping):
        raise NotNarrower("", "edited referral must be a mapping")
    _check_top_level(e, built.to_dict())
    if "fields" not in e or not isinstance(e["fields"], list):
        raise NotNarrower("", "fields must be a list")
    built_fields = {f.id: f for f in built.fields}
    seen: set[str] = set()
    for item in e["fields"]:
        if not isinstance(item, Mapping) or set(item) != {"id", "kind", "value"}:
            raise NotNarrower("", "each field needs exactly id, kind and value")
        fid = item["id"]
        if not isinstance(fid, str) or fid not in built_fields:
            raise NotNarrower("", "a field that is not in the built referral")
        if fid in seen:
            raise NotNarrower(fid, "appears twice")
        seen.add(fid)
        _check_field(fid, item, built_fields[fid])


def _check_top_level(e: Mapping[Any, Any], b: Mapping[str, Any]) -> None:
    for key in e:
        if key in {"fields", "trace"}:
            continue
        if key not in b:
            raise NotNarrower("", "unknown top-level key")
        if e[key] != b[key]:
            raise NotNarrower(key if isinstance(key, str) else "", "differs from the built referral")


def _check_field(fid: str, item: Mapping[str, Any], original: OutField) -> None:
    if item["kind"] != original.kind:
        raise NotNarrower(fid, "kind differs from the built referral")
    value = item["value"]
    if original.kind in _TEXT_KINDS and isinstance(original.value, str):
        if not isinstance(value, str) or not derivable(original.value, _normalise_text(value)):
            raise NotNarrower(fid, "text is not the built text with parts removed")
    elif isinstance(original.value, tuple):
        if not isinstance(value, list | tuple) or tuple(value) != original.value:
            raise NotNarrower(fid, "value differs from the built referral")
    elif value != original.value:
        raise NotNarrower(fid, "value differs from the built referral")


def apply_edits(built: Referral, edited: Referral | Mapping[str, Any]) -> Referral:
    """Verify staff edits and return the narrower referral, with the edits in its trace."""
    verify_narrower(edited, built)
    e = edited.to_dict() if isinstance(edited, Referral) else edited
    posted = {item["id"]: item["value"] for item in e["fields"]}
    result = built
    for f in built.fields:
        if f.id not in posted:
            result = result.without_field(f.id)
        elif f.kind in _TEXT_KINDS:
            text = _merge_markers(_normalise_text(posted[f.id]))
            if text != f.value:
                fields = tuple(replace(g, value=text) if g.id == f.id else g for g in result.fields)
                trace = replace(
                    result.trace,
                    rules=_add_rule(result.trace, "staff.strike"),
                    staff_struck=_bump(result.trace.staff_struck, f.id),
                )
                result = replace(result, fields=fields, trace=trace)
    return result
