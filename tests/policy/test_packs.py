"""Jurisdiction packs encode policy-facts.md exactly, and malformed packs fail to load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from policy.errors import DataFileError
from policy.packs import DEFAULT_DIR, Pack, load_pack, load_packs

from .support import PACKS


def pack(pid: str) -> Pack:
    return next(p for p in PACKS if p.id == pid)


def level(p: Pack, item_id: str) -> str:
    for group in (p.protections, p.caveats):
        for item in group:
            if item.id == item_id:
                return item.verification
    raise KeyError(item_id)


def test_it_ships_three_packs() -> None:
    assert [p.id for p in PACKS] == ["us-ca-pc-647.3", "us-ca-sf-2018", "us-ny-pl-230.45"]


def test_san_francisco_has_the_memo_and_the_bulletin_as_separate_instruments() -> None:
    sf = pack("us-ca-sf-2018")
    memo, bulletin = sf.instrument("sf-da-memo"), sf.instrument("sfpd-bulletin")
    assert memo.effective == date(2018, 1, 11)
    assert memo.effective_verification == "verified"
    assert (bulletin.effective_label, bulletin.effective_precision) == ("2017-12", "month")
    assert {p.instrument for p in sf.protections} == {"sf-da-memo", "sfpd-bulletin"}


def test_san_francisco_levels_match_policy_facts() -> None:
    sf = pack("us-ca-sf-2018")
    assert level(sf, "sf-da-no-prosecution") == "verified"
    assert level(sf, "sf-da-no-use") == "verified"
    assert level(sf, "sf-da-statements") == "verified"
    assert level(sf, "sf-da-immigration") == "verified"
    assert next(p for p in sf.protections if p.id == "sf-da-immigration").partial  # "[V, partial]"
    assert level(sf, "sfpd-no-arrest") == "verified"
    assert level(sf, "sfpd-drug-evidence") == "secondary"  # "[S — reported in the press]"
    assert level(sf, "sfpd-referral-to-services") == "secondary"
    assert level(sf, "sfpd-bulletin-number") == "unverified"


def test_san_francisco_covers_every_crime_type_in_the_memo() -> None:
    memo = next(p for p in pack("us-ca-sf-2018").protections if p.id == "sf-da-no-prosecution")
    assert set(memo.crimes) == {
        "sexual_assault",
        "physical_assault",
        "robbery",
        "stalking",
        "threats_extortion",
        "trafficking",
        "kidnapping",
        "burglary",
        "other_violence",
    }
    assert set(memo.who) == {"victim", "witness"}
    statements = next(p for p in pack("us-ca-sf-2018").protections if p.id == "sf-da-statements")
    assert "misdemeanor-drug" not in statements.offences  # the statement clause omits drugs


def test_california_levels_match_policy_facts() -> None:
    ca = pack("us-ca-pc-647.3")
    sb233 = ca.instrument("ca-sb-233")
    assert (sb233.effective, sb233.effective_verification) == (date(2020, 1, 1), "verified")
    assert "Evidence Code 782.1" in sb233.citation
    assert level(ca, "ca-647.3-no-arrest") == "secondary"
    assert level(ca, "ca-condoms") == "verified"
    assert level(ca, "ca-arrest-only") == "secondary"
    assert level(ca, "ca-653.22-repealed") == "verified"
    repealed = ca.offence("pc-653.22")
    assert (repealed.repealed, repealed.repeal_verification) == (date(2023, 1, 1), "verified")
    assert "SB 357" in repealed.repealed_by


def test_new_york_levels_match_policy_facts() -> None:
    ny = pack("us-ny-pl-230.45")
    law = ny.instrument("ny-pl-230.45")
    assert law.effective is None
    assert law.effective_verification == "unverified"
    assert law.sources[0].url == "https://www.nysenate.gov/legislation/laws/PEN/230.45"
    immunity = ny.protections[0]
    assert immunity.any_crime
    assert immunity.verification == "verified"
    assert [ny.offence(o).citation for o in immunity.offences] == ["N.Y. Penal Law § 230.00", "N.Y. Penal Law § 230.03"]
    assert len(immunity.conditions) == 3


def test_no_unverified_item_has_reporter_text() -> None:
    for p in PACKS:
        for item in (*p.protections, *p.caveats):
            if item.verification == "unverified":
                assert item.reporter is None, item.id
        for prot in p.protections:
            for c in prot.conditions:
                assert c.verification != "unverified" or c.reporter is None


def test_every_reporter_text_exists_in_english_and_spanish() -> None:
    for p in PACKS:
        for item in (*p.protections, *p.caveats):
            if item.reporter is not None:
                assert item.reporter.en.strip() and item.reporter.es.strip()
                assert item.reporter.en != item.reporter.es


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2017, 11, 30), "no"),
        (date(2017, 12, 1), "unknown"),
        (date(2017, 12, 30), "unknown"),
        (date(2017, 12, 31), "yes"),
        (date(2030, 1, 1), "yes"),
    ],
)
def test_a_month_precise_date_is_honest_inside_the_month(on: date, expected: str) -> None:
    assert pack("us-ca-sf-2018").instrument("sfpd-bulletin").in_force(on) == expected


def test_pack_in_force() -> None:
    assert pack("us-ca-pc-647.3").in_force(date(2019, 12, 31)) == "no"
    assert pack("us-ca-pc-647.3").in_force(date(2020, 1, 1)) == "yes"
    assert pack("us-ca-sf-2018").in_force(date(2017, 12, 15)) == "unknown"
    assert pack("us-ca-sf-2018").in_force(date(2018, 1, 11)) == "yes"
    assert pack("us-ny-pl-230.45").in_force(date(2000, 1, 1)) == "unknown"


# --- loader errors ----------------------------------------------------------------------------


def shipped(pid: str) -> str:
    return (DEFAULT_DIR / f"{pid}.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("pid", "old", "new", "message"),
    [
        (
            "us-ca-sf-2018",
            'verification = "unverified"\nstaff = "The bulletin\'s number',
            'verification = "unverified"\nreporter = { en = "x", es = "y" }\nstaff = "The bulletin\'s number',
            r"note 'sfpd-bulletin-number'.reporter: an unverified item must not have reporter text",
        ),
        (
            "us-ca-sf-2018",
            'id = "sf-felonies"\ninstrument = "sf-da-memo"\nverification = "verified"',
            'id = "sf-felonies"\ninstrument = "sf-da-memo"\nverification = "certain"',
            r"caveat 'sf-felonies'.verification: 'certain' is not one of verified, secondary, unverified",
        ),
        (
            "us-ca-sf-2018",
            'crimes_partly = ["threats_extortion", "burglary"]',
            'crimes_partly = ["threats_extortion", "arson"]',
            r"protection 'sfpd-no-arrest'.crimes_partly: unknown code\(s\) arson",
        ),
        (
            "us-ca-sf-2018",
            'id = "sf-da-no-use"\ninstrument = "sf-da-memo"',
            'id = "sf-da-no-use"\ninstrument = "sf-da-memoir"',
            r"protection 'sf-da-no-use'.instrument: no instrument 'sf-da-memoir'",
        ),
        (
            "us-ca-sf-2018",
            'offences = ["sex-trade", "misdemeanor-drug"]',
            'offences = ["sex-trade", "felony-drug"]',
            r"protection 'sfpd-no-arrest'.offences: no offence\(s\) felony-drug",
        ),
        ("us-ca-sf-2018", 'id = "sf-felonies"', 'id = "sf-da-no-use"', r"id: duplicate id 'sf-da-no-use'"),
        (
            "us-ca-sf-2018",
            "effective = 2018-01-11\n",
            "",
            r"instrument 'sf-da-memo'.effective: missing; if the date is not known",
        ),
        (
            "us-ca-sf-2018",
            "effective = 2018-01-11\n",
            'effective = "2018-01-11"\n',
            r"instrument 'sf-da-memo'.effective: must be a TOML date",
        ),
        (
            "us-ca-sf-2018",
            'effective_precision = "month"',
            'effective_precision = "week"',
            r"effective_precision: 'week' is not one of day, month, year",
        ),
        (
            "us-ca-sf-2018",
            "[protection.partly_note]",
            "[protection.partly_nope]",
            r"protection 'sfpd-no-arrest'.partly_note: missing",
        ),
        (
            "us-ca-sf-2018",
            'who = ["victim", "witness"]\ncrimes = ["sexual_assault", "physical_assault", "robbery", "stalking", "trafficking"',
            'who = ["victim", "bystander"]\ncrimes = ["sexual_assault", "physical_assault", "robbery", "stalking", "trafficking"',
            r"who: unknown code\(s\) bystander",
        ),
        (
            "us-ny-pl-230.45",
            "any_crime = true",
            'any_crime = true\ncrimes = ["robbery"]',
            r"any_crime = true leaves no room",
        ),
        (
            "us-ny-pl-230.45",
            'url = "https://www.nysenate.gov',
            'url = "http://www.nysenate.gov',
            r"url: must be an https:// address",
        ),
        (
            "us-ny-pl-230.45",
            'es = "Ley de Nueva York (Ley Penal 230.45)"',
            'fr = "Loi de New York"',
            r"unknown key\(s\): fr|es: missing",
        ),
        ("us-ny-pl-230.45", 'id = "us-ny-pl-230.45"', 'id = "us-ny"', r"id: must match the file name"),
        (
            "us-ca-pc-647.3",
            'scope = "general"',
            'scope = "general"\nwho = ["victim"]',
            r"a general protection applies to everyone",
        ),
        ("us-ca-pc-647.3", "from = 2023-01-01", "from = 2023-01-01\nuntil = 2022-01-01", r"until: must be after from"),
        (
            "us-ca-pc-647.3",
            'kind = "not_evidence"',
            'kind = "amnesty"',
            r"protection 'ca-condoms'.kind: 'amnesty' is not one of",
        ),
        (
            "us-ca-pc-647.3",
            'kind = "not_evidence"',
            'kind = "not_evidence"\nsource = "somewhere"',
            r"protection 'ca-condoms': unknown key\(s\): source",
        ),
    ],
)
def test_it_refuses_a_malformed_pack(tmp_path: Path, pid: str, old: str, new: str, message: str) -> None:
    text = shipped(pid)
    assert old in text, old
    path = tmp_path / f"{pid}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as exc:
        load_pack(path)
    assert str(path) in str(exc.value)


def test_it_refuses_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no pack files"):
        load_packs(tmp_path)


def test_every_shipped_pack_loads_on_its_own() -> None:
    for path in sorted(DEFAULT_DIR.glob("*.toml")):
        assert load_pack(path).id == path.stem


def test_a_jurisdiction_gets_its_own_packs_and_those_of_the_places_containing_it() -> None:
    from policy.packs import default_packs, for_jurisdiction, jurisdictions

    packs = default_packs()
    assert jurisdictions(packs) == ("US-CA", "US-CA-SF", "US-NY")
    assert {p.id for p in for_jurisdiction(packs, "US-CA-SF")} == {"us-ca-sf-2018", "us-ca-pc-647.3"}
    assert {p.id for p in for_jurisdiction(packs, "US-CA")} == {"us-ca-pc-647.3"}
    assert {p.id for p in for_jurisdiction(packs, "US-NY")} == {"us-ny-pl-230.45"}
    with pytest.raises(ValueError, match="no pack for jurisdiction 'US-C'"):
        for_jurisdiction(packs, "US-C")  # a prefix of a code is not a place


def test_every_reporting_protection_has_its_staff_line_in_spanish() -> None:
    from policy.packs import default_packs

    for pack in default_packs():
        for p in pack.protections:
            if p.scope == "reporting":
                assert p.staff_es and p.staff_in("es") == p.staff_es and p.staff_in("en") == p.staff, p.id
