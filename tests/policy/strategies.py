"""Hypothesis strategies for intake reports, derived from the catalogue.

Every text value starts with a sentinel naming its field (`zqctx_drugszq`), so that an absence
test can search serialised output for exactly that field's content. Values are sometimes
malformed on purpose (wrong types, unknown codes, impossible dates): deny by default must hold
for those too.
"""

from __future__ import annotations

from datetime import date, time
from functools import cache
from typing import Any

from hypothesis import strategies as st

from policy.catalogue import Catalogue, FieldSpec, default_catalogue

PHRASES = (
    "He hit me and took my phone.",
    "I was working on the corner when he pulled up.",
    "He paid me $200 and then took it back.",
    "I had meth on me.",
    "I'm undocumented.",
    "My name is Candy, call me at 415 555 0142.",
    "Estaba trabajando cuando me golpeó.",
    "Me pagó y luego me robó.",
    "He had a knife. I carried pepper spray.",
    "It happened at the Hotel Zeta, room 412.",
    "",
)


def sentinel(field_id: str) -> str:
    """Return the marker every generated text value of this field starts with."""
    return f"zq{field_id}zq"


_free = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def text_value(spec: FieldSpec) -> st.SearchStrategy[str]:
    body = st.one_of(_free, st.sampled_from(PHRASES), st.lists(st.sampled_from(PHRASES), max_size=3).map(" ".join))
    return body.map(lambda b: f"{sentinel(spec.id)} {b}")


def junk() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.integers(),
        st.booleans(),
        st.text(max_size=10),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
    )


_JUNK = junk()


def value_for(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.kind == "text":
        good: st.SearchStrategy[Any] = text_value(spec)
    elif spec.kind == "choice":
        good = st.sampled_from(spec.values)
    elif spec.kind == "multi":
        good = st.lists(
            st.one_of(st.sampled_from(spec.values), st.sampled_from(spec.values), st.text(max_size=6)),
            max_size=len(spec.values) + 1,
        )
    elif spec.kind == "date":
        good = st.one_of(
            st.dates(date(2000, 1, 1), date(2030, 12, 31)).map(date.isoformat),
            st.sampled_from(["2019-02-30", "yesterday", "2019-1-1"]),
        )
    else:
        good = st.one_of(
            st.times().map(lambda t: f"{t.hour:02d}:{t.minute:02d}"),
            st.sampled_from(["25:00", "noon", "7pm"]),
            st.just(time(23, 59).strftime("%H:%M")),
        )
    # Mostly well-formed, sometimes junk of any type.
    return st.one_of(good, good, good, _JUNK)


@cache
def _value_strategy(catalogue: Catalogue, field_id: str) -> st.SearchStrategy[Any]:
    # Built once per field: constructing strategies per draw dominated the run time.
    return value_for(catalogue.field(field_id))


_UNKNOWN_KEYS = st.lists(st.from_regex(r"zz_unknown_[a-z]{1,6}", fullmatch=True), max_size=3, unique=True)


@st.composite
def reports(
    draw: st.DrawFn, catalogue: Catalogue | None = None, *, consent: tuple[str, ...] | None = None, unknown: bool = True
) -> dict[str, Any]:
    """Draw a report: any subset of catalogue fields, plus (optionally) unknown keys."""
    cat = catalogue or default_catalogue()
    report: dict[str, Any] = {}
    for spec in cat.fields:
        if draw(st.booleans()):
            report[spec.id] = draw(_value_strategy(cat, spec.id))
    if consent is not None:
        report["consent"] = list(consent)
    if unknown:
        for key in draw(_UNKNOWN_KEYS):
            report[key] = draw(st.one_of(st.just(f"zqunknownzq {key}"), _JUNK))
    return report


def full_report(**overrides: Any) -> dict[str, Any]:
    """Return a report with every field filled with a distinctive value."""
    report: dict[str, Any] = {
        "crime_types": ["robbery", "physical_assault"],
        "crime_other": "zqcrime_otherzq he also smashed my phone",
        "role": "victim",
        "incident_date": "2019-03-14",
        "incident_time": "23:40",
        "when_approx": "zqwhen_approxzq around midnight",
        "area": "zqareazq Tenderloin",
        "place_precise": "zqplace_precisezq Hotel Zeta room 412, 55 Eddy St",
        "perp_count": "one",
        "perp_relationship": "client",
        "perp_is_authority": "no",
        "perp_description": "zqperp_descriptionzq tall man, beard, grey hoodie",
        "perp_name": "zqperp_namezq Mike",
        "perp_phone": "zqperp_phonezq 415-555-0199",
        "perp_vehicle": "zqperp_vehiclezq white Ford van",
        "injured": "yes",
        "injuries": "zqinjurieszq cut on my arm",
        "safe_now": "yes",
        "reporter_under_18": "no",
        "needs": ["medical", "immigration_legal"],
        "needs_other": "zqneeds_otherzq a lock for my door",
        "narrative": "zqnarrativezq He took my bag and hit me. My name is Candyfloss Jones.",
        "ctx_working": "yes",
        "ctx_payment": "zqctx_paymentzq 200 dollars for an hour",
        "ctx_drugs": "zqctx_drugszq I had meth on me",
        "ctx_weapon": "zqctx_weaponzq pepper spray",
        "ctx_immigration": "undocumented",
        "ctx_legal": "zqctx_legalzq warrant in Alameda",
        "ctx_notes": "zqctx_noteszq please do not tell my family",
        "reporter_name": "Candyfloss Jones",
        "contact_method": "signal",
        "contact_signal": "@candyfloss.99",
        "contact_phone": "+1 415 555 0142",
        "contact_email": "candyfloss99@example.org",
        "contact_safe_times": "zqcontact_safe_timeszq weekday mornings",
        "contact_leave_message": "no",
        "consent": ["victim_services", "health_org", "police_via_advocate", "peer_alert"],
        "consent_share_contact": "yes",
        "consent_protections": "yes",
    }
    report.update(overrides)
    return report
