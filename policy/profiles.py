"""Recipient profiles: what each kind of recipient may receive, and in what form.

A profile is an allowlist. The loader refuses any profile that names a field carrying an
offence tag or a precise location, puts reporter contact details outside the consent-gated
`contact` list, or allows an exact date, time or incriminating code without generalising it.
Those are load errors, not warnings: a bad profile must never be half-applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Final, cast

from ._data import CODE_RE, DATA_DIR, Table, open_file
from .catalogue import NEVER_SHARED_TAGS, Catalogue, FieldSpec, default_catalogue
from .errors import DataFileError
from .generalise import RULE_KINDS, RULES, Rule

DEFAULT_DIR: Final = DATA_DIR / "profiles"
#: Fields the protections notice is derived from; a profile with a notice must allow them, so
#: the notice never says more than the fields themselves.
NOTICE_INPUTS: Final = ("crime_types", "role")


@dataclass(frozen=True, slots=True)
class Generalisation:
    """How one allowed field is made coarser."""

    field_id: str
    rule: Rule
    mapping: tuple[tuple[str, str], ...] = ()

    @property
    def rule_id(self) -> str:
        """Return the trace rule id, e.g. generalise.iso_week."""
        return f"generalise.{self.rule}"


@dataclass(frozen=True, slots=True)
class Profile:
    """One validated recipient profile."""

    id: str
    title: str
    description: str
    consent: str
    protections_notice: bool
    allow: tuple[str, ...]
    contact: tuple[str, ...]
    generalise: tuple[Generalisation, ...]
    path: str
    catalogue: Catalogue = field(repr=False, compare=False)

    def generalisation(self, field_id: str) -> Generalisation | None:
        """Return the generalisation for a field, or None if it leaves as it is."""
        for g in self.generalise:
            if g.field_id == field_id:
                return g
        return None


def load_profile(path: Path | str, catalogue: Catalogue | None = None) -> Profile:
    """Load and validate one profile file against the catalogue; raise DataFileError."""
    path = Path(path)
    cat = catalogue or default_catalogue()
    t = open_file(path)
    t.schema(1)
    pid = t.code("id")
    if pid != path.stem:
        raise t.error("id", f"must match the file name ({path.stem!r})")
    title = t.string("title")
    description = t.string("description")
    consent_codes = cat.field("consent").values if "consent" in cat else ()
    consent = t.choice("consent", tuple(c for c in consent_codes if c != "record_only"))
    notice = t.boolean("protections_notice")

    allow = _allowed(t, cat)
    contact = _contact(t, cat)
    gens = _generalisations(t, allow + contact, cat)
    _check_coverage(t, allow + contact, gens, cat)
    if notice:
        missing = [f for f in NOTICE_INPUTS if f not in allow]
        if missing:
            raise t.error(
                "protections_notice",
                f"needs {', '.join(missing)} in `allow`: the notice is derived from them",
            )
    t.done()
    return Profile(
        id=pid,
        title=title,
        description=description,
        consent=consent,
        protections_notice=notice,
        allow=allow,
        contact=contact,
        generalise=gens,
        path=str(path),
        catalogue=cat,
    )


def _allowed(t: Table, cat: Catalogue) -> tuple[str, ...]:
    """`allow`: known fields that may leave, never a never-shared or contact-only one."""
    allow = t.strings("allow", pattern=CODE_RE)
    for fid in allow:
        spec = _known(t, "allow", fid, cat)
        bad = sorted(spec.tags & NEVER_SHARED_TAGS)
        if bad:
            raise t.error("allow", f"field {fid!r} is tagged {', '.join(bad)} and may never leave")
        if spec.contact_only:
            raise t.error(
                "allow",
                f"field {fid!r} is reporter contact information; list it under `contact`, "
                "where it leaves only with consent_share_contact = yes",
            )
    return allow


def _contact(t: Table, cat: Catalogue) -> tuple[str, ...]:
    """`contact`: contact fields that leave only with the reporter's consent."""
    contact = t.strings("contact", required=False, pattern=CODE_RE)
    for fid in contact:
        spec = _known(t, "contact", fid, cat)
        if spec.tags & NEVER_SHARED_TAGS:
            raise t.error("contact", f"field {fid!r} may never leave")
        if not spec.contact_only:
            raise t.error("contact", f"field {fid!r} is not a contact field; list it under `allow`")
    return contact


def _check_coverage(t: Table, listed: tuple[str, ...], gens: tuple[Generalisation, ...], cat: Catalogue) -> None:
    """Every exact time is generalised, and every sensitive code is mapped to a neutral one."""
    by_field = {g.field_id: g for g in gens}
    for fid in listed:
        spec = cat.field(fid)
        if "time.precise" in spec.tags and fid not in by_field:
            raise t.error(
                "generalise",
                f"field {fid!r} is an exact date or time; name a generalisation "
                '(rule = "date" keeps the exact date on purpose)',
            )
        g = by_field.get(fid)
        mapped = dict(g.mapping) if g is not None else {}
        for code, tags in spec.value_tags:
            if tags & NEVER_SHARED_TAGS and code not in mapped:
                raise t.error(
                    f"generalise.{fid}",
                    f"code {code!r} is tagged {', '.join(sorted(tags))}; map it to a neutral code",
                )


def _known(t: Table, key: str, fid: str, cat: Catalogue) -> FieldSpec:
    if fid not in cat:
        raise t.error(key, f"unknown field {fid!r} (not in {cat.path})")
    return cat.field(fid)


def _generalisations(t: Table, listed: tuple[str, ...], cat: Catalogue) -> tuple[Generalisation, ...]:
    table = t.table("generalise", required=False)
    if table is None:
        return ()
    out: list[Generalisation] = []
    for fid in table.data:
        g = table.table(fid, required=False)
        if g is None:  # unreachable: fid comes from the table itself
            continue
        out.append(_generalisation(g, fid, listed, cat))
    table.done()
    return tuple(out)


def _generalisation(g: Table, fid: str, listed: tuple[str, ...], cat: Catalogue) -> Generalisation:
    if fid not in cat:
        raise g.error("", f"unknown field {fid!r}")
    if fid not in listed:
        raise g.error("", f"field {fid!r} is not in `allow` or `contact`")
    spec = cat.field(fid)
    rule = cast(Rule, g.choice("rule", RULES))
    kinds, _ = RULE_KINDS[rule]
    if spec.kind not in kinds:
        raise g.error("rule", f"{rule!r} does not apply to a {spec.kind} field")
    mapping: tuple[tuple[str, str], ...] = ()
    m = g.table("map", required=rule == "map")
    if m is not None:
        if rule != "map":
            raise g.error("map", 'only rule = "map" takes a map')
        mapping = _code_map(m, fid, spec)
        if not mapping:
            raise g.error("map", "is empty")
    g.done()
    return Generalisation(fid, rule, mapping)


def _code_map(m: Table, fid: str, spec: FieldSpec) -> tuple[tuple[str, str], ...]:
    """A `map` table: each code of the field to a code that may leave."""
    mapping: list[tuple[str, str]] = []
    for code in m.data:
        if code not in spec.values:
            raise m.error(code, f"{code!r} is not a code of {fid!r}")
        target = m.code(code)
        if target in spec.values and spec.tags_of_value(target) & NEVER_SHARED_TAGS:
            raise m.error(code, f"maps to {target!r}, which may never leave")
        mapping.append((code, target))
    m.done()
    return tuple(mapping)


def load_profiles(directory: Path | str = DEFAULT_DIR, catalogue: Catalogue | None = None) -> dict[str, Profile]:
    """Load every *.toml profile in a directory, keyed by id, in id order."""
    directory = Path(directory)
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise DataFileError(directory, "", "no profile files (*.toml)")
    return {p.id: p for p in (load_profile(path, catalogue) for path in paths)}


@cache
def default_profiles() -> Mapping[str, Profile]:
    """Return the profiles shipped in policy/data/profiles, keyed by id (loaded once)."""
    return MappingProxyType(load_profiles(DEFAULT_DIR))
