"""Recipient profiles load, and a profile that could leak fails to load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy.catalogue import NEVER_SHARED_TAGS
from policy.errors import DataFileError
from policy.profiles import DEFAULT_DIR, load_profile, load_profiles

from .support import CATALOGUE, PROFILES

SHIPPED = {"victim_services", "health_org", "police_via_advocate", "peer_alert"}


def test_it_ships_the_four_profiles() -> None:
    assert set(PROFILES) == SHIPPED
    for pid, p in PROFILES.items():
        assert p.consent == pid


def test_no_shipped_profile_names_a_never_shared_field() -> None:
    for p in PROFILES.values():
        for fid in p.allow + p.contact:
            assert not CATALOGUE.field(fid).tags & NEVER_SHARED_TAGS, (p.id, fid)
        assert "place_precise" not in p.allow


def test_peer_alert_says_nothing_about_the_reporter() -> None:
    peer = PROFILES["peer_alert"]
    assert peer.contact == ()
    assert set(peer.allow) == {
        "crime_types",
        "area",
        "incident_date",
        "perp_count",
        "perp_is_authority",
        "perp_description",
        "perp_vehicle",
    }
    assert peer.generalisation("incident_date").rule == "iso_week"  # type: ignore[union-attr]
    for fid in peer.allow:
        assert CATALOGUE.field(fid).section == "incident"


def test_police_never_get_the_reporters_contact() -> None:
    assert PROFILES["police_via_advocate"].contact == ()


def test_client_and_manager_become_known_person() -> None:
    for pid in ("victim_services", "police_via_advocate"):
        g = PROFILES[pid].generalisation("perp_relationship")
        assert g is not None
        assert dict(g.mapping) == {
            "client": "known_person",
            "manager_or_third_party": "known_person",
            "acquaintance": "known_person",
        }


def test_minor_flag_field_goes_to_services() -> None:
    for pid in ("victim_services", "health_org", "police_via_advocate"):
        assert "reporter_under_18" in PROFILES[pid].allow


# --- loader errors ----------------------------------------------------------------------------


def write(tmp_path: Path, pid: str, text: str) -> Path:
    path = tmp_path / f"{pid}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def shipped(pid: str) -> str:
    return (DEFAULT_DIR / f"{pid}.toml").read_text(encoding="utf-8")


def with_allow(text: str, field_id: str) -> str:
    return text.replace('allow = [\n  "crime_types",', f'allow = [\n  "{field_id}", "crime_types",', 1)


@pytest.mark.parametrize(
    "field_id",
    [
        "ctx_working",
        "ctx_payment",
        "ctx_drugs",
        "ctx_weapon",
        "ctx_immigration",
        "ctx_legal",
        "ctx_notes",
        "place_precise",
        "consent",
        "consent_share_contact",
        "consent_protections",
    ],
)
def test_it_refuses_a_profile_that_allows_a_never_shared_field(tmp_path: Path, field_id: str) -> None:
    path = write(tmp_path, "victim_services", with_allow(shipped("victim_services"), field_id))
    with pytest.raises(DataFileError, match=rf"allow: field '{field_id}' is tagged .* and may never leave") as exc:
        load_profile(path)
    assert str(path) in str(exc.value)


def test_every_never_shared_field_is_refused(tmp_path: Path) -> None:
    for spec in CATALOGUE.fields:
        if spec.tags & NEVER_SHARED_TAGS:
            path = write(tmp_path, "peer_alert", with_allow(shipped("peer_alert"), spec.id))
            with pytest.raises(DataFileError, match="may never leave"):
                load_profile(path)


@pytest.mark.parametrize(
    "field_id", ["reporter_name", "contact_phone", "contact_email", "contact_signal", "contact_safe_times"]
)
def test_it_refuses_contact_details_outside_the_contact_list(tmp_path: Path, field_id: str) -> None:
    path = write(tmp_path, "peer_alert", with_allow(shipped("peer_alert"), field_id))
    with pytest.raises(DataFileError, match=r"reporter contact information; list it under `contact`"):
        load_profile(path)


def test_it_refuses_a_non_contact_field_in_the_contact_list(tmp_path: Path) -> None:
    text = shipped("peer_alert").replace('consent = "peer_alert"', 'consent = "peer_alert"\ncontact = ["narrative"]')
    with pytest.raises(DataFileError, match=r"contact: field 'narrative' is not a contact field"):
        load_profile(write(tmp_path, "peer_alert", text))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"crime_types", "area",', '"crime_types", "crimes", "area",', r"allow: unknown field 'crimes'"),
        ('incident_date = { rule = "iso_week" }', "", r"generalise: field 'incident_date' is an exact date or time"),
        (
            'incident_date = { rule = "iso_week" }',
            'incident_date = { rule = "part_of_day" }',
            r"generalise.incident_date.rule: 'part_of_day' does not apply to a date field",
        ),
        (
            'incident_date = { rule = "iso_week" }',
            'incident_date = { rule = "week" }',
            r"generalise.incident_date.rule: 'week' is not one of",
        ),
        (
            'incident_date = { rule = "iso_week" }',
            'incident_date = { rule = "iso_week" }\nnarrative = { rule = "date" }',
            r"field 'narrative' is not in `allow` or `contact`",
        ),
        ('id = "peer_alert"', 'id = "peer"', r"id: must match the file name"),
        ('consent = "peer_alert"', 'consent = "record_only"', r"consent: 'record_only' is not one of"),
        ('consent = "peer_alert"', 'consent = "everyone"', r"consent: 'everyone' is not one of"),
        ("protections_notice = false", "protections_notice = true", r"protections_notice: needs role in `allow`"),
        ("protections_notice = false", 'protections_notice = "no"', r"protections_notice: must be true or false"),
        (
            'consent = "peer_alert"',
            'consent = "peer_alert"\nallow_everything = true',
            r"unknown key\(s\): allow_everything",
        ),
        ("schema = 1", "", r"schema: missing"),
    ],
)
def test_it_refuses_a_malformed_profile(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = shipped("peer_alert")
    assert old in text
    path = write(tmp_path, "peer_alert", text.replace(old, new, 1))
    with pytest.raises(DataFileError, match=message) as exc:
        load_profile(path)
    assert str(path) in str(exc.value)


def test_it_refuses_an_unmapped_incriminating_code(tmp_path: Path) -> None:
    text = re.sub(r"perp_relationship = \{.*\}\n", "", shipped("victim_services"))
    with pytest.raises(
        DataFileError,
        match=r"generalise.perp_relationship: code 'client' is tagged sex_trade; map it to a neutral code",
    ):
        load_profile(write(tmp_path, "victim_services", text))


def test_it_refuses_a_map_onto_an_incriminating_code(tmp_path: Path) -> None:
    text = shipped("victim_services").replace('acquaintance = "known_person"', 'acquaintance = "client"')
    with pytest.raises(DataFileError, match=r"map.acquaintance: maps to 'client', which may never leave"):
        load_profile(write(tmp_path, "victim_services", text))


def test_it_refuses_an_unmapped_immigration_need(tmp_path: Path) -> None:
    text = shipped("health_org").replace('needs = { rule = "map", map = { immigration_legal = "legal" } }', "")
    with pytest.raises(DataFileError, match=r"code 'immigration_legal' is tagged immigration"):
        load_profile(write(tmp_path, "health_org", text))


def test_it_refuses_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no profile files"):
        load_profiles(tmp_path)
