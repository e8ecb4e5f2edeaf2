"""Jurisdiction packs: the protections a reporter may have, with citations and verification levels.

A pack is a data file (docs/policy-packs.md describes the format). Every item carries the
verification level of the fact behind it: `verified` (from the cited source), `secondary`
(from a secondary source only) or `unverified` (not yet found). The loader enforces what the
reporter-facing code relies on: an unverified item has no reporter text at all, so it cannot
be shown to a reporter as if it were certain.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Final, Literal, cast

from ._data import DATA_DIR, ID_RE, LANGS, REPORTER_LANGS, VERIFICATION_LEVELS, Table, open_file
from .catalogue import Catalogue, default_catalogue
from .errors import DataFileError

DEFAULT_DIR: Final = DATA_DIR / "packs"

Verification = Literal["verified", "secondary", "unverified"]
Precision = Literal["day", "month", "year"]
InForce = Literal["yes", "no", "unknown"]
PRECISIONS: Final[tuple[Precision, ...]] = ("day", "month", "year")
PROTECTION_KINDS: Final = (
    "no_arrest",
    "no_prosecution",
    "no_use_of_information",
    "statements_not_used",
    "not_evidence",
    "immunity_from_prosecution",
    "immigration_status_not_used",
)
SCOPES: Final = ("reporting", "general")
_RANK: Final = {"verified": 2, "secondary": 1, "unverified": 0}
_URL_RE: Final = re.compile(r"https://\S+\Z")


def weakest(*levels: str) -> Verification:
    """Return the weakest of several verification levels."""
    return cast(Verification, min(levels, key=_RANK.__getitem__))


@dataclass(frozen=True, slots=True)
class Text:
    """The same sentence in every reporter language.

    English and Spanish are written in the data file itself; the other languages come from
    data/i18n/<lang>.toml (policy/translations.py) as ``more``. A language with no translation
    yet reads the English, so a pack added without translations still shows its protections;
    ``translations.check()`` (and its test) lists every gap for the shipped packs.
    """

    en: str
    es: str
    more: tuple[tuple[str, str], ...] = ()

    def get(self, lang: str) -> str:
        """Return the text in `lang`; raise ValueError for an unsupported language."""
        if lang == "en":
            return self.en
        if lang == "es":
            return self.es
        if lang not in REPORTER_LANGS:
            raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(REPORTER_LANGS)}")
        return dict(self.more).get(lang, self.en)

    @classmethod
    def of(cls, texts: dict[str, str]) -> Text:
        """Return the text of a data file's {en = ..., es = ...} table."""
        return cls(en=texts["en"], es=texts["es"])

    def has(self, lang: str) -> bool:
        """Whether the text is written in `lang` (not read in English for want of it)."""
        return lang in LANGS or lang in dict(self.more)

    def with_translations(self, texts: dict[str, str]) -> Text:
        """Return the text with translations ({lang: text}) added."""
        return replace(self, more=tuple(sorted({**dict(self.more), **texts}.items())))


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact was read."""

    title: str
    publisher: str
    date: date | None
    url: str
    verification: Verification


@dataclass(frozen=True, slots=True)
class Instrument:
    """A statute, memo, bulletin or other text that creates protections."""

    id: str
    title: str
    authority: str
    citation: str
    verification: Verification
    effective: date | None
    effective_precision: Precision
    effective_verification: Verification
    effective_note: str
    ends: date | None
    sources: tuple[Source, ...]

    def in_force(self, on: date) -> InForce:
        """Say whether the instrument is in force on a date, honest about imprecise dates."""
        if self.ends is not None and on >= self.ends:
            return "no"
        if self.effective is None:
            return "unknown"
        start = self.effective
        if self.effective_precision == "day":
            first_certain = start
        elif self.effective_precision == "month":
            start = start.replace(day=1)
            last = monthrange(start.year, start.month)[1]
            first_certain = start.replace(day=last)
        else:
            start = start.replace(month=1, day=1)
            first_certain = start.replace(month=12, day=31)
        if on < start:
            return "no"
        # Inside the month or year the text gives, we cannot say which side of the day we are.
        if on < first_certain:
            return "unknown"
        return "yes"

    @property
    def effective_label(self) -> str:
        """Return the effective date at its real precision (2017-12, 2018-01-11) or 'unknown'."""
        if self.effective is None:
            return "unknown"
        if self.effective_precision == "month":
            return self.effective.strftime("%Y-%m")
        if self.effective_precision == "year":
            return f"{self.effective.year:04d}"
        return self.effective.isoformat()


@dataclass(frozen=True, slots=True)
class Offence:
    """An offence a protection covers (the reporter's own, not the perpetrator's)."""

    id: str
    citation: str
    name: Text
    repealed: date | None
    repealed_by: str
    repeal_verification: Verification


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition a protection depends on."""

    staff: str
    reporter: Text | None
    verification: Verification


@dataclass(frozen=True, slots=True)
class Protection:
    """One protection: who it covers, for which crimes reported, against which offences."""

    id: str
    instrument: str
    kind: str
    scope: str
    who: tuple[str, ...]
    any_crime: bool
    crimes: tuple[str, ...]
    crimes_partly: tuple[str, ...]
    partly_note: Text | None
    partly_staff: str
    offences: tuple[str, ...]
    conditions: tuple[Condition, ...]
    verification: Verification
    partial: bool
    staff: str
    reporter: Text | None
    #: The staff line in Spanish, for the reporter who previews the notice that names it.
    staff_es: str = ""
    #: The staff line in the other reporter languages (data/i18n, key "protection.<id>.notice").
    staff_more: tuple[tuple[str, str], ...] = ()

    def staff_in(self, lang: str) -> str:
        """Return the staff line in ``lang`` (English where no translation is given)."""
        if lang == "es":
            return self.staff_es or self.staff
        return dict(self.staff_more).get(lang, self.staff)


@dataclass(frozen=True, slots=True)
class Caveat:
    """A limit or a note: what a protection does not do, or context staff should know."""

    id: str
    kind: Literal["caveat", "note"]
    instrument: str
    verification: Verification
    start: date | None
    until: date | None
    when_crimes: tuple[str, ...]
    when_role: tuple[str, ...]
    staff: str
    reporter: Text | None

    def shown_on(self, on: date) -> bool:
        """Whether the item is current on a date (e.g. a repeal only from its date)."""
        return (self.start is None or on >= self.start) and (self.until is None or on < self.until)


@dataclass(frozen=True, slots=True)
class Pack:
    """One validated jurisdiction pack."""

    id: str
    title: str
    jurisdiction: str
    jurisdiction_name: str
    name: Text
    summary: Text
    instruments: tuple[Instrument, ...]
    offences: tuple[Offence, ...]
    protections: tuple[Protection, ...]
    caveats: tuple[Caveat, ...]
    path: str

    def instrument(self, iid: str) -> Instrument:
        """Return an instrument by id."""
        for i in self.instruments:
            if i.id == iid:
                return i
        raise KeyError(iid)

    def offence(self, oid: str) -> Offence:
        """Return an offence by id."""
        for o in self.offences:
            if o.id == oid:
                return o
        raise KeyError(oid)

    def in_force(self, on: date) -> InForce:
        """Say whether the pack is in force: any protecting instrument in force makes it so."""
        used = {p.instrument for p in self.protections}
        states = {i.in_force(on) for i in self.instruments if i.id in used}
        if "yes" in states:
            return "yes"
        if "unknown" in states:
            return "unknown"
        return "no"


def _verification(t: Table, name: str = "verification") -> Verification:
    return cast(Verification, t.choice(name, VERIFICATION_LEVELS))


def _reporter_text(t: Table, level: Verification, *, required: bool) -> Text | None:
    if level == "unverified":
        if t.has("reporter"):
            raise t.error(
                "reporter",
                "an unverified item must not have reporter text: it is shown to staff only",
            )
        return None
    texts = t.texts("reporter", required=required)
    return Text.of(texts) if texts else None


class _PackReader:
    """Reads one pack's tables in order, each item checked against the catalogue and the pack so far."""

    def __init__(self, cat: Catalogue) -> None:
        self.crime_codes = cat.field("crime_types").values
        self.roles = cat.field("role").values
        self.ids: set[str] = set()
        self.instrument_ids: set[str] = set()
        self.offence_ids: set[str] = set()

    def new_id(self, tt: Table) -> str:
        iid = tt.code("id", pattern=ID_RE)
        if iid in self.ids:
            raise tt.error("id", f"duplicate id {iid!r} in this pack")
        self.ids.add(iid)
        return iid

    # --- instruments ---

    def instruments(self, t: Table) -> tuple[Instrument, ...]:
        instruments = tuple(self._instrument(indexed) for indexed in t.tables("instrument"))
        if not instruments:
            raise t.error("instrument", "at least one instrument is required")
        self.instrument_ids = {i.id for i in instruments}
        return instruments

    def _instrument(self, indexed: Table) -> Instrument:
        iid = self.new_id(indexed)
        it = indexed.renamed(f"instrument {iid!r}", ("id",))
        level = _verification(it)
        eff_level = _verification(it, "effective_verification")
        effective = it.day("effective", required=False)
        if effective is None and eff_level != "unverified":
            raise it.error("effective", 'missing; if the date is not known, say effective_verification = "unverified"')
        precision = cast(Precision, it.choice("effective_precision", PRECISIONS, required=False, default="day"))
        ends = it.day("ends", required=False)
        if ends is not None and effective is not None and ends <= effective:
            raise it.error("ends", "must be after effective")
        sources = tuple(_source(st) for st in it.tables("source"))
        if not sources:
            raise it.error("source", "at least one source is required")
        instrument = Instrument(
            id=iid,
            title=it.string("title"),
            authority=it.string("authority"),
            citation=it.string("citation"),
            verification=level,
            effective=effective,
            effective_precision=precision,
            effective_verification=eff_level,
            effective_note=it.string("effective_note", required=False),
            ends=ends,
            sources=sources,
        )
        it.done()
        return instrument

    # --- offences ---

    def offences(self, t: Table) -> tuple[Offence, ...]:
        offences = tuple(self._offence(indexed) for indexed in t.tables("offence", required=False))
        self.offence_ids = {o.id for o in offences}
        return offences

    def _offence(self, indexed: Table) -> Offence:
        oid = self.new_id(indexed)
        ot = indexed.renamed(f"offence {oid!r}", ("id",))
        repealed = ot.day("repealed", required=False)
        offence = Offence(
            id=oid,
            citation=ot.string("citation"),
            name=Text.of(ot.texts("name")),
            repealed=repealed,
            repealed_by=ot.string("repealed_by", required=repealed is not None),
            repeal_verification=(_verification(ot, "repeal_verification") if repealed is not None else "verified"),
        )
        ot.done()
        return offence

    # --- protections ---

    def protections(self, t: Table) -> tuple[Protection, ...]:
        protections = tuple(self._protection(indexed) for indexed in t.tables("protection"))
        if not protections:
            raise t.error("protection", "at least one protection is required")
        return protections

    def _protection(self, indexed: Table) -> Protection:
        prid = self.new_id(indexed)
        pt = indexed.renamed(f"protection {prid!r}", ("id",))
        instrument = pt.code("instrument", pattern=ID_RE)
        if instrument not in self.instrument_ids:
            raise pt.error("instrument", f"no instrument {instrument!r} in this pack")
        scope = pt.choice("scope", SCOPES)
        who = pt.strings("who", required=False)
        any_crime = pt.boolean("any_crime", required=False)
        crimes = pt.strings("crimes", required=False)
        partly = pt.strings("crimes_partly", required=False)
        self._check_codes(pt, who, crimes, partly)
        _check_scope(pt, scope, who, any_crime=any_crime, crimes=crimes, partly=partly)
        level = _verification(pt)
        partly_note = pt.texts("partly_note", required=bool(partly)) if level != "unverified" else {}
        if partly_note and not partly:
            raise pt.error("partly_note", "only with crimes_partly")
        offs = pt.strings("offences", required=False, pattern=ID_RE)
        unknown_offs = [o for o in offs if o not in self.offence_ids]
        if unknown_offs:
            raise pt.error("offences", f"no offence(s) {', '.join(unknown_offs)} in this pack")
        conditions = tuple(_condition(ct) for ct in pt.tables("condition", required=False))
        protection = Protection(
            id=prid,
            instrument=instrument,
            kind=pt.choice("kind", PROTECTION_KINDS),
            scope=scope,
            who=who,
            any_crime=any_crime,
            crimes=crimes,
            crimes_partly=partly,
            partly_note=Text.of(partly_note) if partly_note else None,
            partly_staff=pt.string("partly_staff", required=bool(partly)),
            offences=offs,
            conditions=conditions,
            verification=level,
            partial=pt.boolean("partial", required=False),
            staff=pt.string("staff"),
            reporter=_reporter_text(pt, level, required=True),
            # A reporting protection can be named in a referral's notice, which the reporter
            # previews in her language before she sends: it needs the translation.
            staff_es=pt.string("staff_es", required=scope == "reporting"),
        )
        pt.done()
        return protection

    def _check_codes(self, pt: Table, who: tuple[str, ...], crimes: tuple[str, ...], partly: tuple[str, ...]) -> None:
        for key, codes, allowed in (
            ("who", who, self.roles),
            ("crimes", crimes, self.crime_codes),
            ("crimes_partly", partly, self.crime_codes),
        ):
            unknown = [c for c in codes if c not in allowed]
            if unknown:
                raise pt.error(key, f"unknown code(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})")
        if set(crimes) & set(partly):
            raise pt.error("crimes_partly", "a crime type cannot be both covered and partly covered")

    # --- caveats and notes ---

    def caveats(self, t: Table) -> tuple[Caveat, ...]:
        kinds: tuple[Literal["caveat", "note"], ...] = ("caveat", "note")
        return tuple(self._caveat(kind, indexed) for kind in kinds for indexed in t.tables(kind, required=False))

    def _caveat(self, kind: Literal["caveat", "note"], indexed: Table) -> Caveat:
        cid = self.new_id(indexed)
        ct = indexed.renamed(f"{kind} {cid!r}", ("id",))
        instrument = ct.code("instrument", required=False, pattern=ID_RE)
        if instrument and instrument not in self.instrument_ids:
            raise ct.error("instrument", f"no instrument {instrument!r} in this pack")
        start, until = ct.day("from", required=False), ct.day("until", required=False)
        if start and until and until <= start:
            raise ct.error("until", "must be after from")
        when_crimes = ct.strings("when_crimes", required=False)
        when_role = ct.strings("when_role", required=False)
        if set(when_crimes) - set(self.crime_codes):
            raise ct.error("when_crimes", "unknown crime type code")
        if set(when_role) - set(self.roles):
            raise ct.error("when_role", "unknown role code")
        level = _verification(ct)
        caveat = Caveat(
            id=cid,
            kind=kind,
            instrument=instrument,
            verification=level,
            start=start,
            until=until,
            when_crimes=when_crimes,
            when_role=when_role,
            staff=ct.string("staff"),
            # A caveat without reporter text is for staff only (e.g. a missing bulletin number).
            reporter=_reporter_text(ct, level, required=False),
        )
        ct.done()
        return caveat


def _source(st: Table) -> Source:
    url = st.string("url", required=False)
    if url and not _URL_RE.match(url):
        raise st.error("url", "must be an https:// address")
    source = Source(
        title=st.string("title"),
        publisher=st.string("publisher"),
        date=st.day("date", required=False),
        url=url,
        verification=_verification(st),
    )
    st.done()
    return source


def _condition(ct: Table) -> Condition:
    clevel = _verification(ct)
    condition = Condition(ct.string("staff"), _reporter_text(ct, clevel, required=True), clevel)
    ct.done()
    return condition


def _check_scope(
    pt: Table, scope: str, who: tuple[str, ...], *, any_crime: bool, crimes: tuple[str, ...], partly: tuple[str, ...]
) -> None:
    """A reporting protection names whom and which crimes it covers; a general one names neither."""
    if scope == "reporting":
        if not who:
            raise pt.error("who", "a reporting protection must say who it covers")
        if not (any_crime or crimes or partly):
            raise pt.error("crimes", "a reporting protection must name the crimes it covers (or any_crime = true)")
        if any_crime and (crimes or partly):
            raise pt.error("any_crime", "any_crime = true leaves no room for crimes or crimes_partly")
    elif who or any_crime or crimes or partly:
        raise pt.error("scope", "a general protection applies to everyone; drop who and crimes")


def load_pack(path: Path | str, catalogue: Catalogue | None = None) -> Pack:
    """Load and validate one pack file; raise DataFileError naming file, key and problem."""
    path = Path(path)
    reader = _PackReader(catalogue or default_catalogue())
    t = open_file(path)
    t.schema(1)
    pid = t.code("id", pattern=ID_RE)
    if pid != path.stem:
        raise t.error("id", f"must match the file name ({path.stem!r})")
    instruments = reader.instruments(t)
    offences = reader.offences(t)
    protections = reader.protections(t)
    caveats = reader.caveats(t)
    pack = Pack(
        id=pid,
        title=t.string("title"),
        jurisdiction=t.string("jurisdiction"),
        jurisdiction_name=t.string("jurisdiction_name"),
        name=Text.of(t.texts("name")),
        summary=Text.of(t.texts("summary")),
        instruments=instruments,
        offences=offences,
        protections=protections,
        caveats=caveats,
        path=str(path),
    )
    t.done()
    return pack


def load_packs(directory: Path | str = DEFAULT_DIR, catalogue: Catalogue | None = None) -> tuple[Pack, ...]:
    """Load every *.toml pack in a directory, in id order."""
    directory = Path(directory)
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise DataFileError(directory, "", "no pack files (*.toml)")
    return tuple(sorted((load_pack(p, catalogue) for p in paths), key=lambda p: p.id))


@cache
def default_packs() -> tuple[Pack, ...]:
    """Return the packs shipped in policy/data/packs (loaded once), with their translations."""
    from .translations import default_translations, translate_pack

    translations = default_translations()
    return tuple(translate_pack(pack, translations) for pack in load_packs(DEFAULT_DIR))


def jurisdictions(packs: Iterable[Pack]) -> tuple[str, ...]:
    """Return the jurisdiction codes the packs name, sorted (e.g. US-CA, US-CA-SF, US-NY)."""
    return tuple(sorted({p.jurisdiction for p in packs}))


def for_jurisdiction(packs: Iterable[Pack], code: str) -> tuple[Pack, ...]:
    """Return the packs in force in one place: its own, and those of every place that contains it.

    Codes nest by prefix: San Francisco (US-CA-SF) is within California (US-CA), so a San
    Francisco organisation gets both the city's policy and the state's law, and never New
    York's. Raise ValueError for a code no pack names.
    """
    packs = tuple(packs)
    if code not in jurisdictions(packs):
        raise ValueError(f"no pack for jurisdiction {code!r}; known: {', '.join(jurisdictions(packs))}")
    return tuple(p for p in packs if code == p.jurisdiction or code.startswith(p.jurisdiction + "-"))
