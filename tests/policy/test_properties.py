"""Property tests over generated reports, for every profile.

Reports come from the catalogue itself (tests/policy/strategies.py): any subset of fields,
well-formed or junk values, unknown keys. Every text value starts with a sentinel naming its
field, so absence can be checked by search.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policy.catalogue import NEVER_SHARED_TAGS
from policy.errors import ConsentConflict, ConsentMissing, NotNarrower
from policy.profiles import Profile
from policy.referral import REMOVED, Referral, build_referral, derivable, verify_narrower

from .strategies import reports, sentinel
from .support import CATALOGUE, PACKS, PROFILES, REDACTOR, include_all

ON = date(2021, 6, 1)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
profiles = st.sampled_from(sorted(PROFILES)).map(PROFILES.__getitem__)
CONSENTS = [c for c in CATALOGUE.field("consent").values if c != "record_only"]


def build(report: dict[str, Any], profile: Profile, lang: str = "en") -> Referral:
    """Build with every free-text field included: the most an advocate could send."""
    return include_all(build_referral(report, profile, PACKS, on_date=ON, lang=lang, redactor=REDACTOR))


def consenting(profile: Profile) -> st.SearchStrategy[dict[str, Any]]:
    return reports(consent=(profile.consent,))


@st.composite
def profile_and_report(draw: st.DrawFn) -> tuple[Profile, dict[str, Any]]:
    profile = draw(profiles)
    return profile, draw(consenting(profile))


def texts_of(r: Referral) -> list[str]:
    return [v for f in r.fields for v in ((f.value,) if isinstance(f.value, str) else f.value)]


@SETTINGS
@given(case=profile_and_report(), lang=st.sampled_from(["en", "es"]))
def test_no_never_shared_field_or_code_ever_leaves(case: tuple[Profile, dict[str, Any]], lang: str) -> None:
    profile, report = case
    r = build(report, profile, lang)
    recipient, advocate = r.to_json(), r.to_json(include_trace=True)
    for f in r.fields:
        spec = CATALOGUE.field(f.id)
        assert not spec.tags & NEVER_SHARED_TAGS
        assert f.id in profile.allow + profile.contact
        for code in (f.value,) if isinstance(f.value, str) else f.value:
            if spec.kind in ("choice", "multi"):
                assert not spec.tags_of_value(code) & NEVER_SHARED_TAGS, (f.id, code)
    for spec in CATALOGUE.fields:
        if spec.tags & NEVER_SHARED_TAGS:
            assert f'"id":"{spec.id}"' not in recipient
            if spec.kind == "text":
                assert sentinel(spec.id) not in recipient
                assert sentinel(spec.id) not in advocate  # the trace holds no content either
    assert "ctx_" not in recipient


@SETTINGS
@given(case=profile_and_report())
def test_fields_outside_the_profile_never_leave(case: tuple[Profile, dict[str, Any]]) -> None:
    profile, report = case
    r = build(report, profile)
    recipient = r.to_json()
    for spec in CATALOGUE.fields:
        if spec.id not in profile.allow + profile.contact:
            assert r.get(spec.id) is None
            if spec.kind == "text":
                assert sentinel(spec.id) not in recipient


@SETTINGS
@given(case=profile_and_report())
def test_a_field_unknown_to_the_catalogue_never_passes(case: tuple[Profile, dict[str, Any]]) -> None:
    profile, report = case
    unknown = [k for k in report if k not in CATALOGUE]
    r = build(report, profile)
    assert r.trace.unknown_fields == len(unknown)
    advocate = r.to_json(include_trace=True)
    for key in unknown:
        assert key not in advocate
    assert "zqunknownzq" not in advocate


@SETTINGS
@given(case=profile_and_report())
def test_contact_details_leave_only_with_consent_and_a_profile_that_names_them(
    case: tuple[Profile, dict[str, Any]],
) -> None:
    profile, report = case
    r = build(report, profile)
    contact = [f for f in r.field_ids if CATALOGUE.field(f).contact_only]
    if report.get("consent_share_contact") != "yes":
        assert contact == []
        for spec in CATALOGUE.fields:
            if spec.contact_only and spec.kind == "text":
                assert sentinel(spec.id) not in r.to_json(include_trace=True)
    assert set(contact) <= set(profile.contact)


@SETTINGS
@given(case=profile_and_report())
def test_reporter_identifiers_are_removed_from_other_text(case: tuple[Profile, dict[str, Any]]) -> None:
    profile, report = case
    r = build(report, profile)
    for spec in CATALOGUE.with_tag("pii.reporter"):
        value = report.get(spec.id)
        if not isinstance(value, str) or r.get(spec.id) is not None:
            continue
        # Not shared on purpose: its sentinel (part of the known value) must be gone everywhere.
        for text in texts_of(r):
            assert sentinel(spec.id) not in text


@SETTINGS
@given(case=profile_and_report())
def test_the_output_is_deterministic(case: tuple[Profile, dict[str, Any]]) -> None:
    profile, report = case
    one = build(report, profile)
    two = build(dict(reversed(list(report.items()))), profile)
    assert one == two
    assert one.to_json(include_trace=True) == two.to_json(include_trace=True)
    assert Referral.from_json(one.to_json(include_trace=True)) == one


@SETTINGS
@given(
    profile=profiles,
    report=reports(),
    consent=st.lists(st.sampled_from(CATALOGUE.field("consent").values), unique=True),
)
def test_consent_is_required(profile: Profile, report: dict[str, Any], consent: list[str]) -> None:
    report["consent"] = consent
    if profile.consent not in consent:
        with pytest.raises(ConsentMissing):
            build(report, profile)
    elif "record_only" in consent:
        with pytest.raises(ConsentConflict):
            build(report, profile)
    else:
        assert build(report, profile).consent == profile.consent


# --- removals never restore ------------------------------------------------------------------


def visible(text: str) -> str:
    return text.replace(REMOVED, "")


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


@st.composite
def removal_ops(draw: st.DrawFn) -> list[tuple[str, float, float]]:
    return draw(
        st.lists(
            st.tuples(st.sampled_from(["without", "strike", "strike", "strike"]), st.floats(0, 1), st.floats(0, 1)),
            max_size=8,
        )
    )


@SETTINGS
@given(case=profile_and_report(), ops=removal_ops())
def test_removing_more_never_restores_anything(
    case: tuple[Profile, dict[str, Any]], ops: list[tuple[str, float, float]]
) -> None:
    profile, report = case
    built = build(report, profile)
    current = built
    for op, a, b in ops:
        if not current.fields:
            break
        texts = [f for f in current.fields if isinstance(f.value, str) and f.kind == "text"]
        if op == "strike" and texts:
            f = texts[int(a * (len(texts) - 1))]
            assert isinstance(f.value, str)
            start = int(a * len(f.value))
            end = max(start + 1, int(b * len(f.value)))
            if end > len(f.value):
                continue
            nxt = current.strike(f.id, min(start, end - 1), end)
        else:
            nxt = current.without_field(current.fields[int(a * (len(current.fields) - 1))].id)
        # Nothing new: fields shrink, each visible text is a subsequence of what it was.
        assert set(nxt.field_ids) <= set(current.field_ids)
        for g in nxt.fields:
            before = current.get(g.id)
            assert before is not None and before.kind == g.kind
            if isinstance(g.value, str) and g.kind == "text":
                assert isinstance(before.value, str)
                assert is_subsequence(visible(g.value), visible(before.value))
                assert len(visible(g.value)) <= len(visible(before.value))
            else:
                assert g.value == before.value
        assert nxt.flags == built.flags and nxt.notice == built.notice
        verify_narrower(nxt, built)
        verify_narrower(nxt, current)
        current = nxt


@SETTINGS
@given(case=profile_and_report(), where=st.floats(0, 1), extra=st.text(min_size=1, max_size=5))
def test_verify_rejects_any_insertion(case: tuple[Profile, dict[str, Any]], where: float, extra: str) -> None:
    profile, report = case
    built = build(report, profile)
    texts = [f for f in built.fields if f.kind == "text" and isinstance(f.value, str)]
    assume(texts)
    f = texts[int(where * (len(texts) - 1))]
    assert isinstance(f.value, str)
    novel = "\u2603" + extra  # a snowman: in no generated text
    assume(novel not in f.value and REMOVED not in novel)
    at = int(where * len(f.value))
    d = built.to_dict()
    for item in d["fields"]:
        if item["id"] == f.id:
            item["value"] = f.value[:at] + novel + f.value[at:]
    with pytest.raises(NotNarrower):
        verify_narrower(d, built)


@SETTINGS
@given(case=profile_and_report(), forged=st.sampled_from([s.id for s in CATALOGUE.fields]))
def test_verify_rejects_any_field_the_built_referral_lacks(case: tuple[Profile, dict[str, Any]], forged: str) -> None:
    profile, report = case
    built = build(report, profile)
    assume(forged not in built.field_ids)
    d = built.to_dict()
    d["fields"].append({"id": forged, "kind": CATALOGUE.field(forged).kind, "value": "x"})
    with pytest.raises(NotNarrower):
        verify_narrower(d, built)


# --- derivable() against a brute-force oracle ------------------------------------------------


def oracle(built: str, edited: str) -> bool:
    """Try every way of replacing disjoint non-empty substrings of `built` with R."""
    results: set[str] = set()
    n = len(built)

    def walk(i: int, acc: str) -> None:
        if i == n:
            results.add(acc)
            return
        walk(i + 1, acc + built[i])
        for j in range(i + 1, n + 1):
            walk(j, acc + "R")

    walk(0, "")
    return edited in results


@settings(max_examples=400, deadline=None)
@given(built=st.text("abR", max_size=6), edited=st.text("abR", max_size=7))
def test_derivable_agrees_with_the_oracle(built: str, edited: str) -> None:
    assert derivable(built, edited, "R") is oracle(built, edited)


@settings(max_examples=200, deadline=None)
@given(built=st.text("abR", min_size=1, max_size=6), data=st.data())
def test_every_removal_is_derivable(built: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(0, len(built)), max_size=4)))
    edited, pos = "", 0
    for a, b in combinations(cuts, 2):
        if a >= pos and b > a:
            edited += built[pos:a] + "R"
            pos = b
    edited += built[pos:]
    assert derivable(built, edited, "R")
