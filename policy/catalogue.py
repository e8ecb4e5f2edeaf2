"""The field catalogue: every intake field, its kind, its codes and its tags.

The catalogue is the engine's whole vocabulary. A report key it does not name is unknown and
never leaves; a profile that names a field it does not hold fails to load.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, Literal, cast

from ._data import CODE_RE, DATA_DIR, Table, open_file
from .errors import DataFileError

Kind = Literal["text", "choice", "multi", "date", "time"]
KINDS: Final[tuple[Kind, ...]] = ("text", "choice", "multi", "date", "time")

# Invariant tag sets live in code, not in the data file, so that editing the catalogue cannot
# weaken them: the data may only declare and use them.
OFFENCE_TAGS: Final = frozenset({"sex_trade", "payment", "drugs", "weapon", "immigration", "other_offense"})
#: Tags whose fields never leave in any referral, whatever the profile says.
NEVER_SHARED_TAGS: Final = OFFENCE_TAGS | {"location.precise", "internal"}
#: Tags whose fields leave only through a profile's `contact` list, with contact consent.
CONTACT_TAGS: Final = frozenset({"pii.reporter", "contact"})
REQUIRED_TAGS: Final = NEVER_SHARED_TAGS | CONTACT_TAGS | {"free_text", "time.precise", "minor"}
#: Redactor tags a perpetrator field may keep (its own content: the perpetrator's number or
#: handle). Never pii.reporter: the reporter's identifiers go from every field.
KEEPABLE_REDACT_TAGS: Final = frozenset({"contact", "pii.third_party"})

DEFAULT_PATH: Final = DATA_DIR / "catalogue.toml"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One intake field as the policy engine sees it."""

    id: str
    section: str
    kind: Kind
    values: tuple[str, ...]
    tags: frozenset[str]
    value_tags: tuple[tuple[str, frozenset[str]], ...] = ()
    redact_keep: frozenset[str] = frozenset()

    def tags_of_value(self, value: str) -> frozenset[str]:
        """Return the tags a single code carries (empty for most codes)."""
        for code, tags in self.value_tags:
            if code == value:
                return tags
        return frozenset()

    @property
    def never_shared(self) -> bool:
        """Whether any tag on the field itself forbids it in every referral."""
        return bool(self.tags & NEVER_SHARED_TAGS)

    @property
    def contact_only(self) -> bool:
        """Whether the field may leave only through a profile's contact list."""
        return bool(self.tags & CONTACT_TAGS)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The validated catalogue: fields in form order, declared sections and tags."""

    path: str
    sections: tuple[str, ...]
    tag_docs: tuple[tuple[str, str], ...]
    fields: tuple[FieldSpec, ...]

    @property
    def ids(self) -> frozenset[str]:
        """Return every field id."""
        return frozenset(f.id for f in self.fields)

    @property
    def tags(self) -> frozenset[str]:
        """Return every declared tag."""
        return frozenset(t for t, _ in self.tag_docs)

    def __contains__(self, field_id: object) -> bool:
        return any(f.id == field_id for f in self.fields)

    def __iter__(self) -> Iterator[FieldSpec]:
        return iter(self.fields)

    def field(self, field_id: str) -> FieldSpec:
        """Return the field with this id; raise KeyError for an unknown id."""
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def with_tag(self, tag: str) -> tuple[FieldSpec, ...]:
        """Return the fields carrying `tag`, in form order."""
        return tuple(f for f in self.fields if tag in f.tags)

    def order(self, field_id: str) -> int:
        """Return the position of a field in form order (for deterministic output)."""
        for i, f in enumerate(self.fields):
            if f.id == field_id:
                return i
        raise KeyError(field_id)


def load_catalogue(path: Path | str = DEFAULT_PATH) -> Catalogue:
    """Load and validate a catalogue file; raise DataFileError naming file and field."""
    path = Path(path)
    top = open_file(path)
    top.schema(1)
    sections = top.strings("sections", pattern=CODE_RE)
    tags_table = top.table("tags", required=False)
    if tags_table is None:
        raise top.error("tags", "missing")
    tag_docs: list[tuple[str, str]] = []
    for tag in tags_table.data:
        tag_docs.append((tag, tags_table.string(tag)))
    declared = {t for t, _ in tag_docs}
    missing = sorted(REQUIRED_TAGS - declared)
    if missing:
        raise tags_table.error("", f"must declare the invariant tag(s) {', '.join(missing)}")

    fields: list[FieldSpec] = []
    seen: set[str] = set()
    for indexed in top.tables("field"):
        fid = indexed.code("id")
        # Name the field, not just its index, in every later error.
        t = indexed.renamed(f"field {fid!r}")
        if fid in seen:
            raise t.error("id", "duplicate field id")
        seen.add(fid)
        fields.append(_field(t, fid, tuple(sections), declared))
        t.done()
    top.done()
    if not fields:
        raise DataFileError(path, "field", "no fields")
    return Catalogue(str(path), tuple(sections), tuple(tag_docs), tuple(fields))


def _field(t: Table, fid: str, sections: tuple[str, ...], declared: set[str]) -> FieldSpec:
    section = t.choice("section", sections)
    kind = cast(Kind, t.choice("kind", KINDS))
    values = t.strings("values", required=kind in ("choice", "multi"), pattern=CODE_RE)
    if kind in ("choice", "multi") and not values:
        raise t.error("values", "a choice or multi field needs at least one code")
    if kind not in ("choice", "multi") and t.has("values"):
        raise t.error("values", f"only choice and multi fields have codes, not {kind}")
    tags = _tags(t, kind, section, declared)
    value_tags = _value_tags(t, values, declared)
    keep = _redact_keep(t, tags)
    return FieldSpec(fid, section, kind, values, tags, value_tags, keep)


def _tags(t: Table, kind: str, section: str, declared: set[str]) -> frozenset[str]:
    """The field's tags: declared ones only, and the ones its kind and section demand."""
    tags = frozenset(t.strings("tags"))
    unknown = sorted(tags - declared)
    if unknown:
        raise t.error("tags", f"undeclared tag(s) {', '.join(unknown)}")
    if (kind == "text") != ("free_text" in tags):
        raise t.error("tags", "a text field must carry free_text, and only a text field may")
    if section == "sensitive" and not tags & OFFENCE_TAGS:
        raise t.error("tags", "a field in the sensitive section must carry an offence tag")
    if section == "contact" and not tags & CONTACT_TAGS:
        raise t.error("tags", "a field in the contact section must carry contact or pii.reporter")
    return tags


def _value_tags(t: Table, values: tuple[str, ...], declared: set[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """Tags on single codes (an answer that is itself sensitive), each a declared tag."""
    vt = t.table("value_tags", required=False)
    if vt is None:
        return ()
    value_tags: list[tuple[str, frozenset[str]]] = []
    for code in vt.data:
        if code not in values:
            raise vt.error(code, "is not one of the field's codes")
        these = frozenset(vt.strings(code))
        if not these or these - declared:
            raise vt.error(code, "must list declared tags")
        value_tags.append((code, these))
    vt.done()
    return tuple(value_tags)


def _redact_keep(t: Table, tags: frozenset[str]) -> frozenset[str]:
    """Redactor tags a free-text perpetrator field may keep (a description of him stays)."""
    keep = frozenset(t.strings("redact_keep", required=False))
    if keep - KEEPABLE_REDACT_TAGS:
        raise t.error("redact_keep", f"only {', '.join(sorted(KEEPABLE_REDACT_TAGS))} may be kept")
    if keep and not {"perpetrator", "free_text"} <= tags:
        raise t.error("redact_keep", "only a free-text perpetrator field may keep redactor tags")
    return keep


@cache
def default_catalogue() -> Catalogue:
    """Return the catalogue shipped in policy/data (loaded once)."""
    return load_catalogue(DEFAULT_PATH)


#: Every intake field id, for checking the Django form against the catalogue.
FIELD_IDS: Final[frozenset[str]] = default_catalogue().ids
