"""assess() on real cases, and honesty about what is not verified."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.assess import Assessment, assess, rights_summary
from policy.packs import Pack

from .strategies import full_report, reports
from .support import PACKS


def by_id(a: Assessment, pid: str):  # type: ignore[no-untyped-def]
    return a.protection(pid)


def pack_result(a: Assessment, pack_id: str):  # type: ignore[no-untyped-def]
    return next(p for p in a.packs if p.id == pack_id)


def test_sf_robbery_victim_in_2019() -> None:
    a = assess({"crime_types": ["robbery"], "role": "victim"}, PACKS, date(2019, 6, 1))
    assert pack_result(a, "us-ca-sf-2018").in_force == "yes"
    for pid in ("sf-da-no-prosecution", "sf-da-no-use", "sf-da-statements", "sfpd-no-arrest"):
        p = by_id(a, pid)
        assert p.status == "applies", pid
        assert p.certainty == "confirmed"
        assert p.crimes_covered == ("robbery",)
    assert "Cal. Penal Code 647(b)" in by_id(a, "sf-da-no-prosecution").offences
    # California's statute was not yet in force.
    assert pack_result(a, "us-ca-pc-647.3").in_force == "no"
    assert by_id(a, "ca-647.3-no-arrest").status == "not_in_force"
    assert by_id(a, "ca-647.3-no-arrest").reporter is None


def test_sf_caveats_come_with_the_protections() -> None:
    a = assess({"crime_types": ["robbery"], "role": "victim"}, PACKS, date(2019, 6, 1))
    ids = {c.id for c in a.caveats()}
    assert {"sf-felonies", "sf-statements-omit-drugs", "sf-other-matters", "sfpd-drug-evidence"} <= ids
    assert "sf-653.22-repealed" not in ids  # only from 2023
    felonies = next(c for c in a.caveats() if c.id == "sf-felonies")
    assert "felony" in felonies.reporter_text("en").lower()  # type: ignore[union-attr]
    assert "grave" in felonies.reporter_text("es")  # type: ignore[operator]


def test_the_653_22_repeal_shows_from_2023() -> None:
    a = assess({"crime_types": ["robbery"], "role": "witness"}, PACKS, date(2023, 1, 1))
    ids = {c.id for c in a.caveats()}
    assert {"sf-653.22-repealed", "ca-653.22-repealed"} <= ids
    p = by_id(a, "sf-da-no-prosecution")
    assert "Cal. Penal Code 653.22" in p.offences_repealed
    assert "Cal. Penal Code 653.22" not in p.offences
    before = assess({"crime_types": ["robbery"], "role": "witness"}, PACKS, date(2022, 12, 31))
    assert "Cal. Penal Code 653.22" in by_id(before, "sf-da-no-prosecution").offences


def test_california_robbery_is_covered_but_from_secondary_sources() -> None:
    a = assess({"crime_types": ["robbery"], "role": "victim"}, PACKS, date(2021, 3, 1))
    p = by_id(a, "ca-647.3-no-arrest")
    assert p.status == "applies"
    assert p.verification == "secondary"
    assert p.certainty == "unconfirmed"
    assert "not seen the official text" in p.reporter_text("en")  # type: ignore[operator]
    assert "No hemos visto el texto oficial" in p.reporter_text("es")  # type: ignore[operator]
    assert {"ca-arrest-only", "ca-felony-drugs"} <= {c.id for c in a.caveats()}


def test_california_simple_assault_depends_on_seriousness() -> None:
    a = assess({"crime_types": ["physical_assault"], "role": "victim"}, PACKS, date(2021, 3, 1))
    p = by_id(a, "ca-647.3-no-arrest")
    assert p.status == "may_apply"
    assert p.crimes_partly == ("physical_assault",)
    assert "crime_partly" in p.reasons
    assert "depends on how serious" in p.reporter_text("en")  # type: ignore[operator]
    assert "245(a)" in p.staff


def test_condoms_apply_to_everyone() -> None:
    a = assess({}, PACKS, date(2021, 3, 1))
    assert by_id(a, "ca-condoms").status == "applies"
    assert by_id(a, "ca-condoms").certainty == "confirmed"


def test_new_york_covers_any_crime_but_its_date_is_unconfirmed() -> None:
    a = assess({"crime_types": ["burglary", "other_violence"], "role": "witness"}, PACKS, date(2024, 5, 1))
    p = by_id(a, "ny-immunity")
    assert p.status == "may_apply"
    assert p.reasons == ("in_force_unknown",)
    assert p.crimes_covered == ("burglary", "other_violence")
    assert p.certainty == "unconfirmed"
    assert "not confirmed the date" in p.reporter_text("en")  # type: ignore[operator]
    assert "Conditions:" in p.reporter_text("en")  # type: ignore[operator]
    assert "15 days" in p.reporter_text("en")  # type: ignore[operator]
    assert "Condiciones:" in p.reporter_text("es")  # type: ignore[operator]
    assert {c.id for c in a.caveats()} >= {"ny-prostitution-only", "ny-effective-date"}


def test_a_date_before_the_packs_is_not_in_force() -> None:
    a = assess({"crime_types": ["robbery"], "role": "victim"}, PACKS, date(2017, 6, 1))
    assert pack_result(a, "us-ca-sf-2018").in_force == "no"
    assert pack_result(a, "us-ca-pc-647.3").in_force == "no"
    assert all(p.status == "not_in_force" for p in a.protections() if p.pack != "us-ny-pl-230.45")
    assert all(c.pack == "us-ny-pl-230.45" for c in a.caveats())
    lines = a.for_reporter("en")
    assert any(ln.kind == "pack" and ln.pack == "us-ca-sf-2018" and "not yet in force" in ln.text for ln in lines)


def test_the_day_the_memo_was_announced() -> None:
    a = assess({"crime_types": ["robbery"], "role": "victim"}, PACKS, date(2018, 1, 11))
    assert by_id(a, "sf-da-no-use").status == "applies"
    assert by_id(a, "sfpd-no-arrest").status == "applies"
    mid_december = assess({"crime_types": ["robbery"], "role": "victim"}, PACKS, date(2017, 12, 15))
    assert by_id(mid_december, "sfpd-no-arrest").status == "may_apply"
    assert "in_force_unknown" in by_id(mid_december, "sfpd-no-arrest").reasons
    assert by_id(mid_december, "sf-da-no-use").status == "not_in_force"


def test_burglary_is_only_partly_in_the_police_bulletin() -> None:
    a = assess({"crime_types": ["burglary"], "role": "victim"}, PACKS, date(2019, 6, 1))
    p = by_id(a, "sfpd-no-arrest")
    assert p.status == "may_apply"
    assert by_id(a, "sf-da-no-prosecution").status == "applies"


def test_unknown_role_and_crime_make_it_may_apply() -> None:
    a = assess({}, PACKS, date(2019, 6, 1))
    p = by_id(a, "sf-da-no-use")
    assert p.status == "may_apply"
    assert set(p.reasons) == {"role_unknown", "crime_unknown"}
    assert "does not say" in p.reporter_text("en")  # type: ignore[operator]


def test_a_role_not_covered_does_not_apply(tmp_path: object) -> None:
    import dataclasses

    sf = next(p for p in PACKS if p.id == "us-ca-sf-2018")
    victims_only = dataclasses.replace(
        sf, protections=tuple(dataclasses.replace(p, who=("victim",)) for p in sf.protections)
    )
    a = assess({"crime_types": ["robbery"], "role": "witness"}, [victims_only], date(2019, 6, 1))
    p = by_id(a, "sf-da-no-use")
    assert p.status == "does_not_apply"
    assert "role_not_covered" in p.reasons
    assert "not witnesses" in p.reporter_text("en")  # type: ignore[operator]


def test_junk_values_are_ignored() -> None:
    a = assess({"crime_types": "robbery", "role": ["victim"]}, PACKS, date(2019, 6, 1))
    assert a.crimes == ()
    assert a.role is None


def test_staff_lines_carry_citations_and_levels() -> None:
    a = assess({"crime_types": ["robbery"], "role": "victim"}, PACKS, date(2024, 6, 1))
    staff = {ln.item: ln for ln in a.for_staff()}
    assert staff["sfpd-bulletin-number"].verification == "unverified"
    assert staff["ny-immunity"].verification == "unverified"  # effective date not found
    assert staff["ny-immunity"].citation.startswith("N.Y. Penal Law § 230.45")
    assert staff["ca-647.3-no-arrest"].verification == "secondary"


def unverified_ids(packs: tuple[Pack, ...]) -> set[str]:
    return {item.id for p in packs for item in (*p.protections, *p.caveats) if item.verification == "unverified"}


@settings(max_examples=60, deadline=None)
@given(
    report=reports(unknown=True), on=st.dates(date(2015, 1, 1), date(2030, 12, 31)), lang=st.sampled_from(["en", "es"])
)
def test_unverified_items_never_reach_the_reporter(report: dict[str, object], on: date, lang: str) -> None:
    a = assess(report, PACKS, on)
    lines = a.for_reporter(lang)
    hidden = unverified_ids(PACKS)
    assert hidden  # the shipped packs do have some
    assert not {ln.item for ln in lines} & hidden
    for p in a.protections():
        if p.certainty == "unconfirmed" and p.reporter_text(lang) is not None:
            text = p.reporter_text(lang)
            assert any(
                h in text
                for h in (
                    "not seen the official text",
                    "only seen part",
                    "not confirmed the date",
                    "No hemos visto",
                    "Solo hemos visto",
                    "No hemos confirmado",
                )
            ), p.id  # type: ignore[operator]


@settings(max_examples=40, deadline=None)
@given(report=reports(), on=st.dates(date(2015, 1, 1), date(2030, 12, 31)))
def test_the_sensitive_section_never_changes_the_assessment(report: dict[str, object], on: date) -> None:
    # The notice in a referral is built from this: it must not depend on what stays hidden.
    kept = {k: v for k, v in report.items() if k in ("crime_types", "role")}
    assert assess(report, PACKS, on) == assess(kept, PACKS, on)


def test_assessment_is_deterministic_and_serialisable() -> None:
    import json

    r = full_report()
    one = json.dumps(assess(r, PACKS, date(2024, 1, 1)).to_dict(), sort_keys=True)
    two = json.dumps(
        assess(dict(reversed(list(r.items()))), tuple(reversed(PACKS)), date(2024, 1, 1)).to_dict(), sort_keys=True
    )
    assert one == two
    only_es = assess(r, PACKS, date(2024, 1, 1)).to_dict("es")
    assert all(set(p["reporter"]) == {"es"} for pk in only_es["packs"] for p in pk["protections"] if p["reporter"])


def test_an_unsupported_language_is_refused() -> None:
    a = assess({}, PACKS, date(2024, 1, 1))
    with pytest.raises(ValueError, match="unsupported language"):
        a.for_reporter("fr")
    with pytest.raises(ValueError, match="unsupported language"):
        rights_summary(PACKS, date(2024, 1, 1), "fr")


def test_rights_summary_lists_packs_in_force_with_honest_certainty() -> None:
    summary = rights_summary(PACKS, date(2024, 1, 1), "es")
    assert [p.id for p in summary.packs] == ["us-ca-pc-647.3", "us-ca-sf-2018", "us-ny-pl-230.45"]
    ca = summary.packs[0]
    no_arrest = next(i for i in ca.protections if i.id == "ca-647.3-no-arrest")
    assert no_arrest.certainty == "unconfirmed"
    assert "robo con violencia o intimidación" in no_arrest.crimes
    assert "agresión física" in no_arrest.crimes_partly
    assert no_arrest.citation.startswith("Cal. Penal Code 647.3")
    sf = summary.packs[1]
    assert sf.withheld == 1  # the bulletin number
    assert {c.id for c in sf.caveats} >= {"sf-653.22-repealed", "sf-felonies"}
    ny = summary.packs[2]
    assert ny.in_force == "unknown"
    assert ny.protections[0].certainty == "unconfirmed"
    assert ny.withheld == 1
    data = summary.to_dict()
    assert data["lang"] == "es"
    assert "unverified" not in str(data)


def test_rights_summary_before_any_pack() -> None:
    summary = rights_summary(PACKS, date(2017, 1, 1), "en")
    assert [p.id for p in summary.packs] == ["us-ny-pl-230.45"]
