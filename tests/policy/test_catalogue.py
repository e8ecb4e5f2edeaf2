"""The catalogue matches docs/intake-fields.md and refuses malformed files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy.catalogue import FIELD_IDS, NEVER_SHARED_TAGS, OFFENCE_TAGS, load_catalogue
from policy.errors import DataFileError

from .support import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "intake-fields.md"
CATALOGUE_FILE = ROOT / "policy" / "data" / "catalogue.toml"


def documented_fields() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Parse docs/intake-fields.md: {id: (section, kind, codes)}."""
    fields: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    section = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## (\w+)", line)
        if heading:
            section = heading[1]
            continue
        row = re.match(r"\| `(\w+)` \| ([^|]+) \| (.*) \|$", line)
        if not row:
            continue
        kind_text = row[2].strip()
        if kind_text.startswith("multi choice"):
            kind = "multi"
        elif kind_text.startswith("choice"):
            kind = "choice"
        elif kind_text.endswith("text"):
            kind = "text"
        else:
            kind = kind_text
        codes = tuple(re.findall(r"`(\w+)`", row[3])) if kind in ("choice", "multi") else ()
        fields[row[1]] = (section, kind, codes)
    return fields


def test_it_has_exactly_the_documented_fields() -> None:
    documented = documented_fields()
    assert len(documented) == 39
    assert set(documented) == set(FIELD_IDS) == CATALOGUE.ids


def test_it_has_the_documented_sections_kinds_and_codes() -> None:
    for fid, (section, kind, codes) in documented_fields().items():
        spec = CATALOGUE.field(fid)
        assert (spec.section, spec.kind, spec.values) == (section, kind, codes), fid


def test_it_keeps_form_order() -> None:
    assert [f.id for f in CATALOGUE.fields] == list(documented_fields())


def test_it_tags_every_sensitive_field_with_an_offence() -> None:
    sensitive = [f for f in CATALOGUE.fields if f.section == "sensitive"]
    assert {f.id for f in sensitive} == {
        "ctx_working",
        "ctx_payment",
        "ctx_drugs",
        "ctx_weapon",
        "ctx_immigration",
        "ctx_legal",
        "ctx_notes",
    }
    for f in sensitive:
        assert f.tags & OFFENCE_TAGS, f.id


def test_it_classifies_the_dangerous_fields() -> None:
    assert "location.precise" in CATALOGUE.field("place_precise").tags
    assert CATALOGUE.field("consent").never_shared
    assert {f.id for f in CATALOGUE.with_tag("pii.reporter")} == {
        "reporter_name",
        "contact_signal",
        "contact_phone",
        "contact_email",
    }
    assert all(f.contact_only for f in CATALOGUE.fields if f.section == "contact")
    assert CATALOGUE.field("perp_relationship").tags_of_value("client") == {"sex_trade"}
    assert CATALOGUE.field("needs").tags_of_value("immigration_legal") == {"immigration"}
    assert "minor" in CATALOGUE.field("reporter_under_18").tags
    never = {f.id for f in CATALOGUE.fields if f.tags & NEVER_SHARED_TAGS}
    assert never == {"place_precise", "consent", "consent_share_contact", "consent_protections"} | {
        f.id for f in CATALOGUE.fields if f.section == "sensitive"
    }


def test_every_text_field_is_free_text() -> None:
    for f in CATALOGUE.fields:
        assert (f.kind == "text") == ("free_text" in f.tags), f.id


def test_every_tag_is_documented() -> None:
    used = {t for f in CATALOGUE.fields for t in f.tags} | {
        t for f in CATALOGUE.fields for _, ts in f.value_tags for t in ts
    }
    assert used <= CATALOGUE.tags
    assert all(doc for _, doc in CATALOGUE.tag_docs)


# --- loader errors ----------------------------------------------------------------------------


def mutate(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "catalogue.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "crime_other"', 'id = "crime_types"', "field 'crime_types'.id: duplicate field id"),
        (
            'id = "ctx_drugs"\nsection = "sensitive"\nkind = "text"\ntags = ["free_text", "drugs"]',
            'id = "ctx_drugs"\nsection = "sensitive"\nkind = "text"\ntags = ["free_text"]',
            "field 'ctx_drugs'.tags: a field in the sensitive section must carry an offence tag",
        ),
        (
            'tags = ["free_text", "drugs"]',
            'tags = ["free_text", "drugz"]',
            "field 'ctx_drugs'.tags: undeclared tag(s) drugz",
        ),
        (
            'id = "narrative"\nsection = "narrative"\nkind = "text"\ntags = ["free_text"]',
            'id = "narrative"\nsection = "narrative"\nkind = "text"\ntags = []',
            "field 'narrative'.tags: a text field must carry free_text",
        ),
        (
            'id = "role"\nsection = "incident"\nkind = "choice"',
            'id = "role"\nsection = "incident"\nkind = "radio"',
            "field 'role'.kind: 'radio' is not one of",
        ),
        (
            'id = "role"\nsection = "incident"',
            'id = "role"\nsection = "elsewhere"',
            "field 'role'.section: 'elsewhere' is not one of",
        ),
        (
            'id = "incident_date"\nsection = "incident"\nkind = "date"',
            'id = "incident_date"\nsection = "incident"\nkind = "date"\nvalues = ["a"]',
            "field 'incident_date'.values: only choice and multi fields have codes",
        ),
        (
            'id = "role"\nsection = "incident"\nkind = "choice"',
            'id = "role"\nsection = "incident"\nkind = "choice"\nlabel = "Role"',
            "field 'role': unknown key(s): label",
        ),
        (
            "value_tags = { client = ",
            'value_tags = { boss = ["sex_trade"], client = ',
            "value_tags.boss: is not one of the field's codes",
        ),
        (
            'redact_keep = ["contact"]',
            'redact_keep = ["pii.reporter"]',
            "field 'perp_phone'.redact_keep: only contact, pii.third_party may be kept",
        ),
        (
            '"location.precise" = "Exact',
            '"location.imprecise" = "Exact',
            "tags: must declare the invariant tag(s) location.precise",
        ),
        ("schema = 1", "schema = 2", "schema: must be 1"),
    ],
)
def test_it_refuses_a_malformed_catalogue(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = mutate(tmp_path, old, new)
    with pytest.raises(DataFileError) as exc:
        load_catalogue(path)
    assert str(path) in str(exc.value)
    assert message in str(exc.value)


def test_it_refuses_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.toml"
    path.write_text("schema = [", encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid TOML"):
        load_catalogue(path)


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="file not found"):
        load_catalogue(tmp_path / "nope.toml")
