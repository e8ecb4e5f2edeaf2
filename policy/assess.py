"""Assess which protections a report has, honestly: what applies, what does not, and why.

The assessment reads only `crime_types` and `role` from the report: never the sensitive
section. Whether someone was working is not needed to tell them their rights, and an output
that depended on it would leak it (the referral notice is built from this assessment).

Reporter text follows the verification level of every item: verified items are stated,
secondary or partial ones are stated with a hedge that says so, an uncertain effective date is
said out loud, and unverified items carry no reporter text at all (the pack loader enforces
it), so they can only reach staff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from ._data import DATA_DIR, LANGS, REPORTER_LANGS, open_file
from .catalogue import Catalogue, default_catalogue
from .errors import DataFileError
from .packs import Caveat, InForce, Pack, Protection, Text, Verification, weakest
from .translations import placeholders

Status = Literal["applies", "may_apply", "does_not_apply", "not_in_force"]
Certainty = Literal["confirmed", "unconfirmed"]
PHRASES_PATH: Final = DATA_DIR / "phrases.toml"
_REQUIRED_PHRASES: Final = (
    "status.applies",
    "status.may_apply",
    "status.does_not_apply",
    "status.not_in_force",
    "reason.crime_not_covered",
    "reason.crime_partly",
    "reason.crime_unknown",
    "reason.role_unknown",
    "hedge.secondary",
    "hedge.partial",
    "hedge.effective_unknown",
    "hedge.unconfirmed",
    "label.conditions",
)


# --- phrases --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phrases:
    """Reporter-facing phrases keyed by dotted name, in every supported language."""

    texts: tuple[tuple[str, Text], ...]

    def get(self, key: str, lang: str, **values: str) -> str:
        """Return a phrase in `lang` with its placeholders filled."""
        for k, text in self.texts:
            if k == key:
                return text.get(lang).format(**values)
        raise KeyError(key)

    def has(self, key: str) -> bool:
        """Whether a phrase exists."""
        return any(k == key for k, _ in self.texts)


def load_phrases(path: Path | str = PHRASES_PATH, catalogue: Catalogue | None = None) -> Phrases:
    """Load and validate the phrases file: every key in every language, same placeholders."""
    path = Path(path)
    cat = catalogue or default_catalogue()
    top = open_file(path)
    top.schema(1)
    flat: dict[str, Text] = {}
    _walk_phrases(path, top.data, "", flat)
    required = list(_REQUIRED_PHRASES)
    required += [f"crime_types.{c}" for c in cat.field("crime_types").values]
    for role in cat.field("role").values:
        required += [f"role.{role}", f"reason.role_not_covered.{role}"]
    missing = [k for k in required if k not in flat]
    if missing:
        raise DataFileError(path, missing[0], f"missing ({len(missing)} phrase(s) missing)")
    return Phrases(tuple(sorted(flat.items())))


def _walk_phrases(path: Path, data: Mapping[str, Any], prefix: str, flat: dict[str, Text]) -> None:
    """Collect every phrase (a table of exactly the languages) under `prefix` into `flat`."""
    for key, value in data.items():
        if key == "schema" and not prefix:
            continue
        name = f"{prefix}{key}"
        if not isinstance(value, dict):
            raise DataFileError(path, name, "must be a table of languages or of phrases")
        if set(value) == set(LANGS):
            flat[name] = _phrase(path, name, value)
        elif set(value) & set(LANGS):
            raise DataFileError(path, name, f"must have exactly the languages {', '.join(LANGS)}")
        else:
            _walk_phrases(path, value, f"{name}.", flat)


def _phrase(path: Path, name: str, value: Mapping[str, Any]) -> Text:
    texts = {lang: value[lang] for lang in LANGS}
    for lang, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise DataFileError(path, f"{name}.{lang}", "must be a non-empty string")
    fields = {lang: placeholders(text) for lang, text in texts.items()}
    if len({frozenset(f) for f in fields.values()}) != 1:
        raise DataFileError(path, name, "placeholders differ between languages")
    return Text.of(texts)


@cache
def default_phrases() -> Phrases:
    """Return the phrases shipped in policy/data (loaded once), with their translations."""
    from .translations import default_translations, translate_phrases

    return Phrases(translate_phrases(load_phrases(PHRASES_PATH).texts, default_translations()))


# --- results --------------------------------------------------------------------------------


def _texts_dict(texts: tuple[tuple[str, str], ...] | None, lang: str | None) -> dict[str, str] | None:
    if texts is None:
        return None
    return {k: v for k, v in texts if lang is None or k == lang}


@dataclass(frozen=True, slots=True)
class ProtectionResult:
    """One protection evaluated against one report on one date."""

    pack: str
    id: str
    instrument: str
    kind: str
    scope: str
    status: Status
    reasons: tuple[str, ...]
    crimes_covered: tuple[str, ...]
    crimes_partly: tuple[str, ...]
    crimes_not_covered: tuple[str, ...]
    offences: tuple[str, ...]
    offences_repealed: tuple[str, ...]
    verification: Verification
    effective_verification: Verification
    partial: bool
    citation: str
    staff: str
    conditions_staff: tuple[str, ...]
    #: (lang, text) pairs; None when the reporter is not shown this item.
    reporter: tuple[tuple[str, str], ...] | None

    @property
    def certainty(self) -> Certainty:
        """Return 'confirmed' only when content, completeness and date are all verified."""
        sure = (
            self.verification == "verified"
            and self.effective_verification == "verified"
            and not self.partial
            and "in_force_unknown" not in self.reasons
        )
        return "confirmed" if sure else "unconfirmed"

    def reporter_text(self, lang: str) -> str | None:
        """Return the plain-language text in `lang`, or None if withheld from reporters."""
        return dict(self.reporter).get(lang) if self.reporter is not None else None

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """Return a JSON-ready dict; with `lang`, reporter text in that language only."""
        return {
            "pack": self.pack,
            "id": self.id,
            "instrument": self.instrument,
            "kind": self.kind,
            "scope": self.scope,
            "status": self.status,
            "reasons": list(self.reasons),
            "crimes_covered": list(self.crimes_covered),
            "crimes_partly": list(self.crimes_partly),
            "crimes_not_covered": list(self.crimes_not_covered),
            "offences": list(self.offences),
            "offences_repealed": list(self.offences_repealed),
            "verification": self.verification,
            "effective_verification": self.effective_verification,
            "partial": self.partial,
            "certainty": self.certainty,
            "citation": self.citation,
            "staff": self.staff,
            "conditions_staff": list(self.conditions_staff),
            "reporter": _texts_dict(self.reporter, lang),
        }


@dataclass(frozen=True, slots=True)
class CaveatResult:
    """A caveat or note that holds for this report on this date."""

    pack: str
    id: str
    kind: Literal["caveat", "note"]
    instrument: str
    verification: Verification
    citation: str
    staff: str
    reporter: tuple[tuple[str, str], ...] | None

    def reporter_text(self, lang: str) -> str | None:
        """Return the plain-language text in `lang`, or None if for staff only."""
        return dict(self.reporter).get(lang) if self.reporter is not None else None

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "pack": self.pack,
            "id": self.id,
            "kind": self.kind,
            "instrument": self.instrument,
            "verification": self.verification,
            "citation": self.citation,
            "staff": self.staff,
            "reporter": _texts_dict(self.reporter, lang),
        }


@dataclass(frozen=True, slots=True)
class InstrumentResult:
    """An instrument's status on the assessment date."""

    id: str
    citation: str
    in_force: InForce
    effective: str
    effective_verification: Verification
    verification: Verification

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "id": self.id,
            "citation": self.citation,
            "in_force": self.in_force,
            "effective": self.effective,
            "effective_verification": self.effective_verification,
            "verification": self.verification,
        }


@dataclass(frozen=True, slots=True)
class PackResult:
    """One pack evaluated on one date."""

    id: str
    title: str
    name: Text
    in_force: InForce
    instruments: tuple[InstrumentResult, ...]
    protections: tuple[ProtectionResult, ...]
    caveats: tuple[CaveatResult, ...]

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "id": self.id,
            "title": self.title,
            "name": {k: v for k, v in (("en", self.name.en), ("es", self.name.es)) if lang in (None, k)},
            "in_force": self.in_force,
            "instruments": [i.to_dict() for i in self.instruments],
            "protections": [p.to_dict(lang) for p in self.protections],
            "caveats": [c.to_dict(lang) for c in self.caveats],
        }


@dataclass(frozen=True, slots=True)
class ReporterLine:
    """One sentence group for the reporter, ready to render."""

    pack: str
    item: str
    kind: Literal["pack", "protection", "caveat", "note"]
    status: str
    certainty: Certainty
    text: str


@dataclass(frozen=True, slots=True)
class StaffLine:
    """One citation line for staff, with its verification level."""

    pack: str
    item: str
    kind: Literal["protection", "caveat", "note"]
    status: str
    verification: Verification
    citation: str
    text: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """The protections, non-protections and caveats of one report on one date."""

    on_date: date
    crimes: tuple[str, ...]
    role: str | None
    packs: tuple[PackResult, ...]

    def protections(self) -> tuple[ProtectionResult, ...]:
        """Return every protection result, pack by pack."""
        return tuple(p for pack in self.packs for p in pack.protections)

    def protection(self, pid: str) -> ProtectionResult:
        """Return one protection result by id."""
        for p in self.protections():
            if p.id == pid:
                return p
        raise KeyError(pid)

    def caveats(self) -> tuple[CaveatResult, ...]:
        """Return every caveat and note result, pack by pack."""
        return tuple(c for pack in self.packs for c in pack.caveats)

    def for_reporter(self, lang: str) -> tuple[ReporterLine, ...]:
        """Return what the reporter may read, in `lang`; unverified items are absent."""
        _check_lang(lang)
        phrases = default_phrases()
        lines: list[ReporterLine] = []
        for pack in self.packs:
            if pack.in_force == "no":
                lines.append(
                    ReporterLine(
                        pack.id,
                        pack.id,
                        "pack",
                        "not_in_force",
                        "confirmed",
                        f"{pack.name.get(lang)}: {phrases.get('status.not_in_force', lang)}",
                    )
                )
                continue
            for p in pack.protections:
                text = p.reporter_text(lang)
                if text is not None:
                    lines.append(ReporterLine(pack.id, p.id, "protection", p.status, p.certainty, text))
            for c in pack.caveats:
                text = c.reporter_text(lang)
                if text is not None:
                    certainty: Certainty = "confirmed" if c.verification == "verified" else "unconfirmed"
                    lines.append(ReporterLine(pack.id, c.id, c.kind, c.kind, certainty, text))
        return tuple(lines)

    def for_staff(self) -> tuple[StaffLine, ...]:
        """Return every item with its citation and verification level, for staff."""
        lines: list[StaffLine] = []
        for pack in self.packs:
            for p in pack.protections:
                lines.append(
                    StaffLine(
                        pack.id,
                        p.id,
                        "protection",
                        p.status,
                        weakest(p.verification, p.effective_verification),
                        p.citation,
                        p.staff,
                    )
                )
            for c in pack.caveats:
                lines.append(StaffLine(pack.id, c.id, c.kind, c.kind, c.verification, c.citation, c.staff))
        return tuple(lines)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """Return a JSON-ready dict; with `lang`, reporter text in that language only."""
        if lang is not None:
            _check_lang(lang)
        return {
            "on_date": self.on_date.isoformat(),
            "crimes": list(self.crimes),
            "role": self.role,
            "packs": [p.to_dict(lang) for p in self.packs],
        }


def _check_lang(lang: str) -> None:
    if lang not in REPORTER_LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(REPORTER_LANGS)}")


# --- evaluation -----------------------------------------------------------------------------


def report_crimes(report: Mapping[str, Any], catalogue: Catalogue | None = None) -> tuple[str, ...]:
    """Return the report's valid crime type codes, in catalogue order (junk is ignored)."""
    cat = catalogue or default_catalogue()
    value = report.get("crime_types")
    if not isinstance(value, list | tuple):
        return ()
    given = {v for v in value if isinstance(v, str)}
    return tuple(c for c in cat.field("crime_types").values if c in given)


def report_role(report: Mapping[str, Any], catalogue: Catalogue | None = None) -> str | None:
    """Return the report's role code, or None if absent or not a valid code."""
    cat = catalogue or default_catalogue()
    value = report.get("role")
    return value if isinstance(value, str) and value in cat.field("role").values else None


def assess(report: Mapping[str, Any], packs: Iterable[Pack], on_date: date) -> Assessment:
    """Assess a report against jurisdiction packs on a date (the date of reporting)."""
    crimes = report_crimes(report)
    role = report_role(report)
    results = tuple(_assess_pack(pack, crimes, role, on_date) for pack in sorted(packs, key=lambda p: p.id))
    return Assessment(on_date, crimes, role, results)


def _assess_pack(pack: Pack, crimes: tuple[str, ...], role: str | None, on: date) -> PackResult:
    instruments = tuple(
        InstrumentResult(i.id, i.citation, i.in_force(on), i.effective_label, i.effective_verification, i.verification)
        for i in pack.instruments
    )
    in_force = pack.in_force(on)
    protections = tuple(_assess_protection(pack, p, crimes, role, on) for p in pack.protections)
    caveats: list[CaveatResult] = []
    if in_force != "no":
        for c in pack.caveats:
            if _caveat_holds(pack, c, crimes, role, on):
                citation = pack.instrument(c.instrument).citation if c.instrument else pack.title
                reporter = _caveat_pairs(c)
                caveats.append(
                    CaveatResult(pack.id, c.id, c.kind, c.instrument, c.verification, citation, c.staff, reporter)
                )
    return PackResult(pack.id, pack.title, pack.name, in_force, instruments, protections, tuple(caveats))


def _caveat_current(pack: Pack, c: Caveat, on: date) -> bool:
    if c.instrument and pack.instrument(c.instrument).in_force(on) == "no":
        return False
    return c.shown_on(on)


def _caveat_holds(pack: Pack, c: Caveat, crimes: tuple[str, ...], role: str | None, on: date) -> bool:
    if not _caveat_current(pack, c, on):
        return False
    if c.when_crimes and not set(c.when_crimes) & set(crimes):
        return False
    return not (c.when_role and role not in c.when_role)


def _caveat_text(c: Caveat, lang: str) -> str | None:
    if c.reporter is None:
        return None
    text = c.reporter.get(lang)
    if c.verification != "verified":
        text += " " + default_phrases().get("hedge.unconfirmed", lang)
    return text


def _caveat_pairs(c: Caveat) -> tuple[tuple[str, str], ...] | None:
    pairs = tuple((lang, text) for lang in REPORTER_LANGS if (text := _caveat_text(c, lang)) is not None)
    return pairs or None


def _pairs(text: Text, render: Callable[[str, str], str]) -> tuple[tuple[str, str], ...]:
    return tuple((lang, render(lang, text.get(lang))) for lang in REPORTER_LANGS)


def _assess_protection(
    pack: Pack, p: Protection, crimes: tuple[str, ...], role: str | None, on: date
) -> ProtectionResult:
    instrument = pack.instrument(p.instrument)
    in_force = instrument.in_force(on)
    reasons: list[str] = []
    covered: tuple[str, ...] = ()
    partly: tuple[str, ...] = ()
    not_covered: tuple[str, ...] = ()
    status: Status
    if in_force == "no":
        status = "not_in_force"
        reasons.append("not_in_force")
    elif p.scope == "general":
        status = "applies"
    else:
        status, covered, partly, not_covered = _coverage(p, crimes, role, reasons)
    if in_force == "unknown":
        reasons.append("in_force_unknown")
        if status == "applies":
            status = "may_apply"
    offences = tuple(pack.offence(o) for o in p.offences)
    repealed = tuple(o.citation for o in offences if o.repealed is not None and on >= o.repealed)
    current = tuple(o.citation for o in offences if o.citation not in repealed)

    reporter = None
    if p.reporter is not None and status != "not_in_force":
        facts = _Facts(status, tuple(reasons), partly, not_covered, role, in_force, instrument.effective_verification)
        reporter = _pairs(p.reporter, lambda lang, base: _reporter_sentence(p, facts, lang, base))
    return ProtectionResult(
        pack=pack.id,
        id=p.id,
        instrument=p.instrument,
        kind=p.kind,
        scope=p.scope,
        status=status,
        reasons=tuple(reasons),
        crimes_covered=covered,
        crimes_partly=partly,
        crimes_not_covered=not_covered,
        offences=current,
        offences_repealed=repealed,
        verification=p.verification,
        effective_verification=instrument.effective_verification,
        partial=p.partial,
        citation=instrument.citation,
        staff=p.staff + (f" [{p.partly_staff}]" if partly and p.partly_staff else ""),
        conditions_staff=tuple(f"{c.staff} [{c.verification}]" for c in p.conditions),
        reporter=reporter,
    )


def _coverage(
    p: Protection, crimes: tuple[str, ...], role: str | None, reasons: list[str]
) -> tuple[Status, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A reporting protection against the report's crimes and role: status, covered, partly, not covered."""
    covered = crimes if p.any_crime else tuple(c for c in crimes if c in p.crimes)
    partly = tuple(c for c in crimes if c in p.crimes_partly)
    not_covered = tuple(c for c in crimes if c not in covered and c not in partly)
    if role is None:
        reasons.append("role_unknown")
    elif role not in p.who:
        reasons.append("role_not_covered")
    if not crimes:
        reasons.append("crime_unknown")
    if partly:
        reasons.append("crime_partly")
    if not_covered:
        reasons.append("crime_not_covered")
    status: Status
    if "role_not_covered" in reasons or (crimes and not covered and not partly):
        status = "does_not_apply"
    elif role is None or not crimes or not covered:
        status = "may_apply"
    else:
        status = "applies"
    return status, covered, partly, not_covered


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the reporter sentence of one protection is assembled from."""

    status: Status
    reasons: tuple[str, ...]
    partly: tuple[str, ...]
    not_covered: tuple[str, ...]
    role: str | None
    in_force: InForce
    effective_verification: Verification


def _reporter_sentence(p: Protection, facts: _Facts, lang: str, base: str) -> str:
    ph = default_phrases()
    parts = [ph.get(f"status.{facts.status}", lang), base]
    parts += _reason_parts(p, facts, lang)
    if facts.status != "does_not_apply":
        conditions = [
            c.reporter.get(lang) + ("" if c.verification == "verified" else " " + ph.get("hedge.unconfirmed", lang))
            for c in p.conditions
            if c.reporter is not None  # unverified conditions have none: staff only
        ]
        if conditions:
            parts.append(ph.get("label.conditions", lang) + " " + " ".join(conditions))
    parts += _hedges(p, lang, unsure_date=facts.in_force == "unknown" or facts.effective_verification != "verified")
    return " ".join(parts)


def _reason_parts(p: Protection, facts: _Facts, lang: str) -> list[str]:
    """Why the protection may not cover her: role, crimes unknown, not or partly covered."""
    ph = default_phrases()

    def crimes_label(codes: tuple[str, ...]) -> str:
        return ", ".join(ph.get(f"crime_types.{c}", lang) for c in codes)

    parts = []
    if "role_not_covered" in facts.reasons and facts.role is not None:
        parts.append(ph.get(f"reason.role_not_covered.{facts.role}", lang))
    if "role_unknown" in facts.reasons:
        parts.append(ph.get("reason.role_unknown", lang))
    if "crime_unknown" in facts.reasons:
        parts.append(ph.get("reason.crime_unknown", lang))
    if facts.not_covered:
        parts.append(ph.get("reason.crime_not_covered", lang, crimes=crimes_label(facts.not_covered)))
    if facts.partly and p.partly_note is not None:
        parts.append(
            ph.get("reason.crime_partly", lang, crimes=crimes_label(facts.partly), note=p.partly_note.get(lang))
        )
    return parts


def _hedges(p: Protection, lang: str, *, unsure_date: bool) -> list[str]:
    """How sure Harbor is: a secondary source, a partial protection, an unconfirmed date."""
    ph = default_phrases()
    hedges = []
    if p.verification != "verified":
        hedges.append(ph.get("hedge.secondary", lang))
    if p.partial:
        hedges.append(ph.get("hedge.partial", lang))
    if unsure_date:
        hedges.append(ph.get("hedge.effective_unknown", lang))
    return hedges


# --- know-your-rights -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RightsItem:
    """One protection or caveat on the know-your-rights page."""

    id: str
    kind: Literal["protection", "caveat", "note"]
    text: str
    certainty: Certainty
    citation: str
    who: tuple[str, ...] = ()
    crimes: tuple[str, ...] = ()
    crimes_partly: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "certainty": self.certainty,
            "citation": self.citation,
            "who": list(self.who),
            "crimes": list(self.crimes),
            "crimes_partly": list(self.crimes_partly),
            "conditions": list(self.conditions),
        }


@dataclass(frozen=True, slots=True)
class RightsPack:
    """One pack on the know-your-rights page."""

    id: str
    name: str
    summary: str
    jurisdiction: str
    in_force: InForce
    protections: tuple[RightsItem, ...]
    caveats: tuple[RightsItem, ...]
    #: How many items are still being checked and therefore not shown.
    withheld: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "jurisdiction": self.jurisdiction,
            "in_force": self.in_force,
            "protections": [i.to_dict() for i in self.protections],
            "caveats": [i.to_dict() for i in self.caveats],
            "withheld": self.withheld,
        }


@dataclass(frozen=True, slots=True)
class RightsSummary:
    """Structured know-your-rights content for one language and date."""

    on_date: date
    lang: str
    packs: tuple[RightsPack, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"on_date": self.on_date.isoformat(), "lang": self.lang, "packs": [p.to_dict() for p in self.packs]}


def _rights_protections(pack: Pack, on_date: date, lang: str) -> tuple[list[RightsItem], int]:
    """The pack's protections in force, in words, and how many were withheld as unverified."""
    ph = default_phrases()
    protections: list[RightsItem] = []
    withheld = 0
    for p in pack.protections:
        instrument = pack.instrument(p.instrument)
        i_force = instrument.in_force(on_date)
        if i_force == "no":
            continue
        if p.reporter is None:
            withheld += 1
            continue
        hedges = _hedges(p, lang, unsure_date=i_force == "unknown" or instrument.effective_verification != "verified")
        conditions = []
        for cond in p.conditions:
            if cond.reporter is None:
                withheld += 1
                continue
            suffix = "" if cond.verification == "verified" else " " + ph.get("hedge.unconfirmed", lang)
            conditions.append(cond.reporter.get(lang) + suffix)
        crime_codes = default_catalogue().field("crime_types").values if p.any_crime else p.crimes
        protections.append(
            RightsItem(
                id=p.id,
                kind="protection",
                text=" ".join([p.reporter.get(lang), *hedges]),
                certainty="unconfirmed" if hedges else "confirmed",
                citation=instrument.citation,
                who=tuple(ph.get(f"role.{r}", lang) for r in p.who),
                crimes=tuple(ph.get(f"crime_types.{c}", lang) for c in crime_codes),
                crimes_partly=tuple(ph.get(f"crime_types.{c}", lang) for c in p.crimes_partly),
                conditions=tuple(conditions),
            )
        )
    return protections, withheld


def _rights_caveats(pack: Pack, on_date: date, lang: str) -> tuple[list[RightsItem], int]:
    """The pack's current caveats and notes, and how many were withheld as unverified."""
    caveats: list[RightsItem] = []
    withheld = 0
    for c in pack.caveats:
        # No report here: caveats tied to a crime type or role are shown to everyone.
        if not _caveat_current(pack, c, on_date):
            continue
        text = _caveat_text(c, lang)
        if text is None:
            if c.verification == "unverified":
                withheld += 1
            continue
        citation = pack.instrument(c.instrument).citation if c.instrument else pack.title
        caveats.append(
            RightsItem(c.id, c.kind, text, "confirmed" if c.verification == "verified" else "unconfirmed", citation)
        )
    return caveats, withheld


def rights_summary(packs: Iterable[Pack], on_date: date, lang: str) -> RightsSummary:
    """Return know-your-rights content for the packs in force (or possibly in force) on a date."""
    _check_lang(lang)
    out: list[RightsPack] = []
    for pack in sorted(packs, key=lambda p: p.id):
        in_force = pack.in_force(on_date)
        if in_force == "no":
            continue
        protections, withheld = _rights_protections(pack, on_date, lang)
        caveats, withheld_caveats = _rights_caveats(pack, on_date, lang)
        withheld += withheld_caveats
        out.append(
            RightsPack(
                id=pack.id,
                name=pack.name.get(lang),
                summary=pack.summary.get(lang),
                jurisdiction=pack.jurisdiction_name,
                in_force=in_force,
                protections=tuple(protections),
                caveats=tuple(caveats),
                withheld=withheld,
            )
        )
    return RightsSummary(on_date, lang, tuple(out))
