"""Referrals: what leaves, in what form, and that staff can only remove more."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest

from policy.catalogue import NEVER_SHARED_TAGS
from policy.errors import ConsentConflict, ConsentMissing, NotNarrower, PolicyError, RedactorUnavailable
from policy.referral import REMOVED, Referral, apply_edits, build_referral, derivable, verify_narrower

from .strategies import full_report
from .support import CATALOGUE, PACKS, PROFILES, REDACTOR, StandInRedactor, include_all, real_redactor

ON = date(2019, 3, 20)


def build(profile: str, report: dict[str, Any] | None = None, *, held: bool = False, **kw: Any) -> Referral:
    """Build a referral; unless ``held``, with every free-text field included, as after an advocate's review."""
    kw.setdefault("redactor", REDACTOR)
    built = build_referral(full_report() if report is None else report, PROFILES[profile], PACKS, on_date=ON, **kw)
    return built if held else include_all(built)


def assert_absent(value: str, referral: Referral) -> None:
    """Assert a value appears nowhere in what the recipient gets, nor in the advocate's trace."""
    for text in (referral.to_json(), referral.to_json(include_trace=True)):
        assert value not in text
    for f in referral.fields:
        for v in (f.value,) if isinstance(f.value, str) else f.value:
            assert value not in v


# --- per profile ------------------------------------------------------------------------------


def test_victim_services_receives_the_violence_and_not_the_work() -> None:
    r = build("victim_services")
    assert r.field_ids == (
        "crime_types", "crime_other", "role", "incident_date", "incident_time", "when_approx", "area",
        "perp_count", "perp_relationship", "perp_is_authority", "perp_description", "perp_name", "perp_phone", "perp_vehicle",
        "injured", "injuries", "safe_now", "reporter_under_18", "needs", "needs_other", "narrative",
        "reporter_name", "contact_method", "contact_signal", "contact_phone", "contact_email", "contact_safe_times", "contact_leave_message",
    )  # fmt: skip
    v = r.values()
    assert v["perp_relationship"] == "known_person"
    assert v["needs"] == ("medical", "legal")
    assert v["incident_date"] == "2019-03-14"
    assert v["incident_time"] == "evening"
    assert r.get("incident_time").kind == "part_of_day"  # type: ignore[union-attr]
    assert v["perp_phone"] == "zqperp_phonezq 415-555-0199"  # the perpetrator's number is the point
    assert v["contact_phone"] == "+1 415 555 0142"  # shared with consent, verbatim
    assert "Candyfloss" not in v["narrative"]  # the reporter's name is a known value
    assert REMOVED in v["narrative"]
    assert {n.protection for n in r.notice} >= {"sf-da-no-use", "sfpd-no-arrest"}


def test_health_org_receives_what_care_needs() -> None:
    r = build("health_org")
    assert "narrative" not in r.field_ids
    assert "perp_description" not in r.field_ids
    assert "area" not in r.field_ids
    assert {"injuries", "needs", "incident_date", "reporter_name"} <= set(r.field_ids)
    assert r.notice == ()


def test_police_via_advocate_never_gets_contact_details() -> None:
    r = build("police_via_advocate")
    assert not {f for f in r.field_ids if CATALOGUE.field(f).contact_only}
    for value in ("Candyfloss", "415 555 0142", "candyfloss99@example.org", "@candyfloss.99"):
        assert_absent(value, r)
    assert "needs" not in r.field_ids
    assert r.notice


def test_peer_alert_is_about_the_perpetrator_only() -> None:
    r = build("peer_alert")
    assert r.field_ids == (
        "crime_types",
        "incident_date",
        "area",
        "perp_count",
        "perp_is_authority",
        "perp_description",
        "perp_vehicle",
    )
    assert r.values()["incident_date"] == "2019-W11"
    assert r.get("incident_date").kind == "week"  # type: ignore[union-attr]
    assert r.flags == ()
    assert r.notice == ()
    for value in ("victim", "zqinjurieszq", "zqnarrativezq", "Candyfloss", "2019-03-14"):
        assert_absent(value, r)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_no_profile_lets_the_sensitive_section_out(profile: str) -> None:
    r = build(profile)
    recipient = r.to_json()
    assert "ctx_" not in recipient
    assert '"place_precise"' not in recipient
    for spec in CATALOGUE.fields:
        if spec.tags & NEVER_SHARED_TAGS and spec.kind == "text":
            assert_absent(f"zq{spec.id}zq", r)
    for value in (
        "Hotel Zeta",
        "room 412",
        "55 Eddy",
        "200 dollars",
        "meth on me",
        "pepper spray",
        "warrant in Alameda",
        "undocumented",
        "client",
        "immigration_legal",
    ):
        assert value not in recipient, value


# --- consent ----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_missing_consent_raises(profile: str) -> None:
    others = [c for c in CATALOGUE.field("consent").values if c not in (profile, "record_only")]
    with pytest.raises(ConsentMissing) as exc:
        build(profile, full_report(consent=others))
    assert exc.value.required == profile
    with pytest.raises(ConsentMissing):
        build(profile, full_report(consent="victim_services health_org police_via_advocate peer_alert"))
    with pytest.raises(ConsentMissing):
        build(profile, {k: v for k, v in full_report().items() if k != "consent"})


def test_record_only_with_another_consent_shares_nothing() -> None:
    with pytest.raises(ConsentConflict):
        build("victim_services", full_report(consent=["record_only", "victim_services"]))
    assert issubclass(ConsentConflict, ConsentMissing)


@pytest.mark.parametrize("share", ["no", None, "YES", True])
def test_contact_details_need_consent_to_share_contact(share: Any) -> None:
    report = full_report(consent_share_contact=share)
    for profile in ("victim_services", "health_org"):
        r = build(profile, report)
        assert not {f for f in r.field_ids if CATALOGUE.field(f).contact_only}
        for value in (
            "Candyfloss",
            "415 555 0142",
            "candyfloss99@example.org",
            "@candyfloss.99",
            "zqcontact_safe_timeszq",
        ):
            assert_absent(value, r)
        assert ("reporter_name", "deny.contact_consent") in r.trace.removed


def test_contact_details_leave_with_consent_only_where_the_profile_names_them() -> None:
    r = build("victim_services")
    assert r.values()["contact_email"] == "candyfloss99@example.org"
    assert "contact.shared" in r.trace.rules
    assert build("peer_alert").get("contact_email") is None


# --- minors -----------------------------------------------------------------------------------


def test_a_minor_is_kept_and_flagged() -> None:
    r = build("victim_services", full_report(reporter_under_18="yes"))
    assert r.values()["reporter_under_18"] == "yes"
    assert r.flags == ("minor",)
    assert "flag.minor" in r.trace.rules
    assert json.loads(r.to_json())["flags"] == ["minor"]


def test_a_minor_is_not_announced_in_a_peer_alert_but_the_advocate_is_told() -> None:
    r = build("peer_alert", full_report(reporter_under_18="yes"))
    assert r.flags == ()
    assert "minor" not in r.to_json()
    assert "flag.minor_withheld" in r.trace.rules


# --- deny by default ------------------------------------------------------------------------


def test_unknown_fields_never_pass_and_are_only_counted() -> None:
    report = full_report(zz_secret_field="zqforgedzq", **{"My name is Ann Lee": "x"})
    r = build("victim_services", report)
    assert r.trace.unknown_fields == 2
    for value in ("zz_secret_field", "zqforgedzq", "Ann Lee"):
        assert_absent(value, r)


def test_unknown_codes_never_pass() -> None:
    r = build(
        "victim_services",
        full_report(crime_types=["robbery", "sex_work", 3], perp_relationship="pimp", perp_count="many"),
    )
    assert r.values()["crime_types"] == ("robbery",)
    assert r.trace.values_dropped == (("crime_types", 2),)
    assert r.get("perp_relationship") is None
    assert ("perp_relationship", "deny.invalid_value") in r.trace.removed
    for value in ("sex_work", "pimp", "many"):
        assert value not in r.to_json(include_trace=True)


@pytest.mark.parametrize(
    ("value", "expected"), [("2019-02-30", None), ("14/03/2019", None), (20190314, None), ("2019-03-14", "2019-03-14")]
)
def test_malformed_dates_never_pass(value: Any, expected: str | None) -> None:
    r = build("victim_services", full_report(incident_date=value))
    assert r.values().get("incident_date") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("00:00", "night"),
        ("05:59", "night"),
        ("06:00", "morning"),
        ("12:30", "afternoon"),
        ("18:00", "evening"),
        ("24:00", None),
        ("7pm", None),
    ],
)
def test_time_becomes_part_of_day(value: str, expected: str | None) -> None:
    assert build("victim_services", full_report(incident_time=value)).values().get("incident_time") == expected


def test_wrong_types_never_pass() -> None:
    r = build(
        "victim_services", full_report(narrative=["zqlistzq"], injured=True, needs="medical", area={"x": "zqdictzq"})
    )
    for fid in ("narrative", "injured", "needs", "area"):
        assert r.get(fid) is None
    assert "zqlistzq" not in r.to_json(include_trace=True)
    assert "zqdictzq" not in r.to_json(include_trace=True)


def test_empty_values_are_absent_not_removed() -> None:
    r = build("victim_services", full_report(narrative="   ", needs=[], crime_other=None))
    assert {"narrative", "needs", "crime_other"}.isdisjoint(r.field_ids)
    assert "narrative" not in {f for f, _ in r.trace.removed}


# --- trace and serialisation ------------------------------------------------------------------


def test_the_trace_holds_ids_rules_and_counts_only() -> None:
    r = build("victim_services")
    t = r.trace
    assert ("ctx_drugs", "deny.never_shared") in t.removed
    assert ("place_precise", "deny.never_shared") in t.removed
    assert ("incident_date", "generalise.date") in t.generalised
    assert ("perp_relationship", "generalise.map") in t.generalised
    assert dict(t.removed_by_tag)["drugs"] == 1
    assert dict(t.spans_by_field)["narrative"] >= 1
    assert {"allowlist", "consent.victim_services", "redact.free_text", "deny.never_shared"} <= set(t.rules)
    trace_json = json.dumps(t.to_dict())
    for spec in CATALOGUE.fields:
        assert f"zq{spec.id}zq" not in trace_json
    for value in ("Candyfloss", "meth", "Hotel", "undocumented", "client"):
        assert value not in trace_json


def test_the_recipient_never_sees_the_trace() -> None:
    r = build("victim_services")
    assert "trace" not in r.to_dict()
    assert "ctx_drugs" not in r.to_json()
    assert "ctx_drugs" in r.to_json(include_trace=True)


def test_serialisation_is_deterministic_and_round_trips() -> None:
    r = build("victim_services")
    again = build("victim_services", dict(reversed(list(full_report().items()))))
    assert r.to_json(include_trace=True) == again.to_json(include_trace=True)
    assert Referral.from_json(r.to_json(include_trace=True)) == r
    recipient = Referral.from_json(r.to_json())
    assert recipient.fields == r.fields
    assert recipient.trace == type(r.trace)()
    assert r.to_json() == recipient.to_json()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(schema="harbor.referral/2"),
        lambda d: d.update(extra=1),
        lambda d: d.pop("notice"),
        lambda d: d["fields"].append({"id": "x", "kind": "nonsense", "value": "y"}),
        lambda d: d["fields"].append(dict(d["fields"][0])),
        lambda d: d["fields"][0].update(value="robbery"),
        lambda d: d.update(on_date="yesterday"),
        lambda d: d.update(trace={"rules": []}),
    ],
)
def test_from_dict_refuses_malformed_input(mutate: Any) -> None:
    d = build("victim_services").to_dict(include_trace=True)
    mutate(d)
    with pytest.raises(ValueError):
        Referral.from_dict(d)


def test_a_referral_is_frozen() -> None:
    r = build("victim_services")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.fields = ()  # type: ignore[misc]
    assert not hasattr(r, "with_field")
    assert not hasattr(r, "restore")


# --- staff removals ---------------------------------------------------------------------------


def test_without_field_removes_and_records() -> None:
    built = build("victim_services")
    narrower = built.without_field("perp_name")
    assert "perp_name" not in narrower.field_ids
    assert "perp_name" in built.field_ids  # the original is untouched
    assert narrower.trace.staff_removed == ("perp_name",)
    assert "Mike" not in narrower.to_json()
    verify_narrower(narrower, built)
    with pytest.raises(KeyError):
        narrower.without_field("perp_name")


def test_strike_replaces_a_range_with_the_marker() -> None:
    built = build("victim_services")
    text = built.values()["injuries"]
    assert isinstance(text, str)
    start = text.index("cut")
    struck = built.strike("injuries", start, start + 3)
    assert struck.values()["injuries"] == text[:start] + REMOVED + text[start + 3 :]
    assert struck.trace.staff_struck == (("injuries", 1),)
    verify_narrower(struck, built)


def test_strike_never_leaves_half_a_marker() -> None:
    built = build("victim_services")
    text = built.values()["narrative"]
    assert isinstance(text, str)
    at = text.index(REMOVED)
    struck = built.strike("narrative", at + 3, at + len(REMOVED) + 1)
    new = struck.values()["narrative"]
    assert isinstance(new, str)
    assert "[rem" not in new.replace(REMOVED, "")
    assert REMOVED + REMOVED not in new
    verify_narrower(struck, built)


@pytest.mark.parametrize(
    ("field", "start", "end", "error"),
    [
        ("nope", 0, 1, KeyError),
        ("crime_types", 0, 1, TypeError),
        ("injuries", 3, 3, ValueError),
        ("injuries", -1, 2, ValueError),
        ("injuries", 0, 10_000, ValueError),
    ],
)
def test_strike_refuses_bad_requests(field: str, start: int, end: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        build("victim_services").strike(field, start, end)


# --- verify_narrower --------------------------------------------------------------------------


def posted(r: Referral) -> dict[str, Any]:
    return {"fields": r.to_dict()["fields"]}


def test_verify_accepts_the_built_referral_and_any_removal() -> None:
    built = build("victim_services")
    verify_narrower(built, built)
    verify_narrower(posted(built), built)
    verify_narrower(built.to_dict(include_trace=True), built)
    verify_narrower({"fields": []}, built)
    edited = posted(built)
    for item in edited["fields"]:
        if item["kind"] == "text":
            item["value"] = REMOVED
    verify_narrower(edited, built)


def test_verify_accepts_crlf_from_a_browser() -> None:
    built = build("victim_services", full_report(injuries="line one\nline two"))
    edited = posted(built)
    for item in edited["fields"]:
        if item["id"] == "injuries":
            item["value"] = item["value"].replace("\n", "\r\n")
    verify_narrower(edited, built)


def edit(built: Referral, field: str, value: Any = None, **changes: Any) -> dict[str, Any]:
    d = posted(built)
    for item in d["fields"]:
        if item["id"] == field:
            if value is not None:
                item["value"] = value
            item.update(changes)
    return d


def test_verify_rejects_restoring_redacted_text() -> None:
    report = full_report()
    built = build("victim_services", report)
    assert built.values()["narrative"] != report["narrative"]
    with pytest.raises(NotNarrower, match="narrative: text is not the built text with parts removed"):
        verify_narrower(edit(built, "narrative", report["narrative"]), built)


def test_verify_rejects_restoring_a_struck_range() -> None:
    built = build("victim_services")
    struck = built.strike("injuries", 0, 5)
    with pytest.raises(NotNarrower):
        verify_narrower(edit(struck, "injuries", built.values()["injuries"]), struck)


def test_verify_rejects_added_text() -> None:
    built = build("victim_services")
    text = built.values()["injuries"]
    for forged in (
        text + " and more",
        "x" + text,
        text.replace("arm", "arm, she was working"),
        REMOVED + " he paid me",
    ):
        with pytest.raises(NotNarrower):
            verify_narrower(edit(built, "injuries", forged), built)


def test_verify_rejects_forged_fields() -> None:
    built = build("victim_services")
    forged = posted(built)
    forged["fields"].append({"id": "ctx_drugs", "kind": "text", "value": "meth"})
    with pytest.raises(NotNarrower, match="not in the built referral") as exc:
        verify_narrower(forged, built)
    assert "meth" not in str(exc.value)
    narrower = built.without_field("perp_name")
    with pytest.raises(NotNarrower):
        verify_narrower(posted(built), narrower)  # restoring a removed field


@pytest.mark.parametrize(
    "forge",
    [
        lambda b: edit(b, "perp_relationship", "client"),
        lambda b: edit(b, "role", "witness"),
        lambda b: edit(b, "crime_types", ["robbery", "physical_assault", "trafficking"]),
        lambda b: edit(b, "incident_date", "2019-03-14T23:40"),
        lambda b: edit(b, "incident_time", kind="time", value="23:40"),
        lambda b: edit(b, "narrative", ["list"]),
        lambda b: edit(b, "narrative", 42),
        lambda b: {**posted(b), "profile": "police_via_advocate"},
        lambda b: {**posted(b), "flags": ["minor"]},
        lambda b: {**posted(b), "notice": []},
        lambda b: {**posted(b), "extra": "x"},
        lambda b: {"fields": posted(b)["fields"] + posted(b)["fields"][:1]},
        lambda b: {"fields": [{"id": "role", "kind": "choice", "value": "victim", "note": "x"}]},
        lambda b: {"fields": "everything"},
        lambda b: {},
        lambda b: ["fields"],
    ],
)
def test_verify_rejects_forgeries(forge: Any) -> None:
    built = build("victim_services")
    with pytest.raises(NotNarrower):
        verify_narrower(forge(built), built)


def test_apply_edits_returns_the_narrower_referral_with_its_trace() -> None:
    built = build("victim_services")
    d = posted(built)
    d["fields"] = [f for f in d["fields"] if f["id"] != "perp_name"]
    for item in d["fields"]:
        if item["id"] == "injuries":
            item["value"] = REMOVED + REMOVED + " on my arm"
    result = apply_edits(built, d)
    assert "perp_name" not in result.field_ids
    assert result.values()["injuries"] == REMOVED + " on my arm"
    assert result.trace.staff_removed == ("perp_name",)
    assert dict(result.trace.staff_struck) == {"injuries": 1}
    assert result.notice == built.notice
    verify_narrower(result, built)
    with pytest.raises(NotNarrower):
        apply_edits(built, edit(built, "injuries", "a new injury"))


# --- derivability ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("built", "edited", "ok"),
    [
        ("abc", "abc", True),
        ("abc", "R", True),
        ("abc", "aR", True),
        ("abc", "Rc", True),
        ("abc", "aRc", True),
        ("abc", "abcR", False),  # a marker must hide at least one character
        ("abc", "Rabc", False),
        ("abc", "ac", False),  # deleting without a marker is not allowed either
        ("aRb", "aRb", True),
        ("aRb", "R", True),
        ("aRb", "ab", False),
        ("abc", "RR", True),
        ("ab", "RRR", False),
        ("", "R", False),
        ("abab", "aRb", True),
        ("abab", "RbRb", True),
        ("abab", "RaRa", False),
    ],
)
def test_derivable_examples(built: str, edited: str, ok: bool) -> None:
    assert derivable(built, edited, "R") is ok


# --- the redactor seam ------------------------------------------------------------------------


class AddsText(StandInRedactor):
    def apply(self, text: str, spans: Any) -> str:
        return text + " (reviewed)"


class OutOfRange(StandInRedactor):
    def find_spans(self, text: str, lang: str, *, known: Any = ()) -> list[Any]:
        return [type("S", (), {"start": 0, "end": len(text) + 5, "tag": "x"})()]


@pytest.mark.parametrize("bad", [AddsText(), OutOfRange()])
def test_a_misbehaving_redactor_stops_the_referral(bad: StandInRedactor) -> None:
    with pytest.raises(PolicyError):
        build("victim_services", redactor=bad)


def test_no_redactor_no_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "policy.redact", None)  # importing it now fails
    with pytest.raises(RedactorUnavailable):
        build_referral(full_report(), PROFILES["victim_services"], PACKS, on_date=ON)
    # Without text to redact, no redactor is needed.
    r = build_referral(
        {"crime_types": ["robbery"], "consent": ["peer_alert"]}, PROFILES["peer_alert"], PACKS, on_date=ON
    )
    assert r.field_ids == ("crime_types",)


def test_the_redactor_tags_reach_only_the_trace() -> None:
    r = build("victim_services")
    assert r.trace.spans_by_tag
    recipient = r.to_json()
    for tag, _ in r.trace.spans_by_tag:
        assert f'"{tag}"' not in recipient


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        build("victim_services", lang="fr")


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_removed_value_is_absent_from_the_serialised_referral(profile: str) -> None:
    report = full_report(consent_share_contact="no")
    r = build(profile, report)
    removed = [fid for fid, _ in r.trace.removed]
    assert "ctx_drugs" in removed
    for fid in removed:
        value = report[fid]
        if isinstance(value, str) and CATALOGUE.field(fid).kind == "text":
            assert_absent(value, r)
        assert f'"id":"{fid}"' not in r.to_json()


@pytest.mark.skipif(real_redactor() is None, reason="needs policy.redact in a subprocess")
def test_output_does_not_depend_on_the_hash_seed() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from datetime import date\n"
        "from tests.policy.strategies import full_report\n"
        "from policy.packs import default_packs\n"
        "from policy.profiles import default_profiles\n"
        "from policy.referral import build_referral\n"
        "for p in default_profiles().values():\n"
        "    print(build_referral(full_report(), p, default_packs(), on_date=date(2024, 1, 1)).to_json(include_trace=True))\n"
    )
    root = Path(__file__).resolve().parents[2]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_any_object_with_the_redactor_interface_can_be_injected() -> None:
    r = build("victim_services", redactor=StandInRedactor())
    narrative = r.values()["narrative"]
    assert isinstance(narrative, str)
    assert "Candyfloss" not in narrative
    assert narrative.endswith(REMOVED + ".")
    assert dict(r.trace.spans_by_tag) == {"pii.reporter": 1}


# --- the protections notice ---------------------------------------------------------------------


@pytest.mark.parametrize("answer", [None, "no", "maybe"])
def test_the_notice_goes_only_where_the_reporter_asked_for_it(answer: str | None) -> None:
    report = full_report()
    if answer is None:
        del report["consent_protections"]
    else:
        report["consent_protections"] = answer
    r = build("victim_services", report)
    assert r.notice == ()
    assert "notice.not_asked" in r.trace.rules and "notice.protections" not in r.trace.rules
    assert "647" not in r.to_json()


def test_the_notice_names_only_the_packs_it_is_given() -> None:
    from policy.packs import for_jurisdiction

    ny = build_referral(full_report(), PROFILES["victim_services"], for_jurisdiction(PACKS, "US-NY"), on_date=ON)
    assert {n.pack for n in ny.notice} == {"us-ny-pl-230.45"}
    sf = build_referral(full_report(), PROFILES["victim_services"], for_jurisdiction(PACKS, "US-CA-SF"), on_date=ON)
    assert {n.pack for n in sf.notice} <= {"us-ca-sf-2018", "us-ca-pc-647.3"} and sf.notice


# --- free text waits for a person -----------------------------------------------------------------


def test_free_text_is_held_until_included_and_leaves_only_then() -> None:
    held = build("victim_services", held=True)
    text_fields = {f.id for f in CATALOGUE.fields if f.kind == "text"}
    assert {h.id for h in held.held} <= text_fields
    assert not set(held.field_ids) & text_fields
    assert "zqnarrativezq" not in held.to_json() and "zqnarrativezq" not in held.to_json(include_trace=True)
    assert "review.held" in held.trace.rules and "narrative" in held.trace.held
    one = held.include("narrative")
    assert "zqnarrativezq" in one.to_json() and "narrative" in one.trace.included
    assert one.field_ids == tuple(f for f in held.order if f in {*held.field_ids, "narrative"})  # form order kept
    with pytest.raises(KeyError):
        one.include("narrative")  # no longer held
    with pytest.raises(KeyError):
        held.include("crime_types")  # not free text


def test_a_held_field_shows_the_advocate_the_original_removals_and_flags() -> None:
    report = dict(full_report(), narrative="I was working and he paid me $200, then he hit me.")
    h = build("victim_services", report, held=True).held_text("narrative")
    assert h is not None
    r = h.redaction
    assert r.source == report["narrative"] and r.text == h.field.value
    kinds = [k for k, _t, _r in r.segments()]
    assert "removed" in kinds
    assert "".join(t for _k, t, _r in r.segments()) == r.source  # the segments are the whole original
    for flag in r.flags_in_text():
        assert REMOVED not in r.text[flag.start : flag.end]


def test_her_own_name_shared_with_consent_is_not_replaced() -> None:
    """A first name is also a name to the detectors; shared on purpose, it leaves as she wrote it."""
    for name in ("Jade", "Maria", "Candyfloss Jones"):
        report = full_report(reporter_name=name, consent_share_contact="yes")
        r = build("victim_services", report)
        assert r.values()["reporter_name"] == name
        # Anything else typed into the same box still goes.
        noisy = full_report(reporter_name=f"{name}, I was working that night", consent_share_contact="yes")
        value = build("victim_services", noisy).values()["reporter_name"]
        assert value.startswith(name) and "working" not in value
