"""Property tests through the whole referral path.

For generated reports: build with the policy engine, encrypt under a fresh
referral key, wrap to a recipient's public key, unwrap with the recipient's
private key, decrypt, and render as the recipient's page does. Nothing of a
stripped field and no must-go phrase may appear in what the recipient reads.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.policy_bridge import packs, profiles, referral_rows
from policy.catalogue import NEVER_SHARED_TAGS, OFFENCE_TAGS, default_catalogue
from policy.errors import PolicyError
from policy.referral import build_referral
from referrals import services
from referrals.policy_bridge import body_rows
from tests.policy.strategies import reports, sentinel
from tests.policy.support import include_all
from vault import crypto
from vault import referrals as vault_referrals

RECIPIENT = crypto.generate_keypair()
ON = datetime.date(2026, 11, 23)
MUST_GO = (
    "I was working",
    "paid me $200",
    "meth",
    "undocumented",
    "Candy",
    "415 555 0142",
    "trabajando",
    "Me pagó",
    "pepper spray",
    "Hotel Zeta",
    "room 412",
)
PROFILE_IDS = ("victim_services", "health_org", "police_via_advocate", "peer_alert")
STRIPPED_TAGS = set(OFFENCE_TAGS) | set(NEVER_SHARED_TAGS) | {"location.precise"}


def _recipient_reads(report: dict, profile_id: str, *, include: bool = True) -> str:
    """What the recipient reads; with ``include``, after an advocate included every free-text answer."""
    built = build_referral(report, profiles()[profile_id], packs(), on_date=ON, lang="en")
    if include:
        built = include_all(built)
    return _as_received(built)


def _as_received(built) -> str:
    rid = "0" * 32
    key = vault_referrals.new_key()
    body = vault_referrals.encrypt(key, rid, "body", built.to_dict())
    wrap = vault_referrals.wrap_key(key, rid, RECIPIENT.public)
    opened = vault_referrals.decrypt(vault_referrals.unwrap_key(wrap, rid, RECIPIENT.private), rid, "body", body)
    rows = body_rows(opened)
    assert rows == referral_rows(built)  # what the preview shows is what the recipient reads
    return json.dumps(opened, ensure_ascii=False) + "\n" + "\n".join(f"{label}: {value}" for label, value in rows)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), profile_id=st.sampled_from(PROFILE_IDS))
def test_no_stripped_value_or_must_go_phrase_reaches_the_recipient(data, profile_id):
    report = data.draw(reports(consent=(profile_id,)))
    try:
        readable = _recipient_reads(report, profile_id)
    except PolicyError:
        return  # refused outright: nothing leaves
    catalogue = default_catalogue()
    for spec in catalogue.fields:
        if set(spec.tags) & STRIPPED_TAGS:
            assert sentinel(spec.id) not in readable, spec.id
    if report.get("consent_share_contact") != "yes":
        for fid in ("reporter_name", "contact_signal", "contact_phone", "contact_email", "contact_safe_times"):
            assert sentinel(fid) not in readable, fid
    assert "zqunknownzq" not in readable
    # With contact consent the reporter's own name and number may go to this recipient.
    own = {"Candy", "415 555 0142"} if report.get("consent_share_contact") == "yes" else set()
    for phrase in set(MUST_GO) - own:
        assert not re.search(rf"\b{re.escape(phrase)}\b", readable), phrase


FREE_TEXT = tuple(f.id for f in default_catalogue().fields if f.kind == "text")
# Arbitrary text, not only phrases a lexicon knows: letters of any script, digits, symbols, spaces.
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=12, max_size=80).filter(
    lambda t: t.strip() and len(set(t.strip())) > 3
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), profile_id=st.sampled_from(PROFILE_IDS))
def test_without_an_include_no_free_text_leaves_whatever_it_says(data, profile_id):
    """Every free-text field holds arbitrary text; the advocate ticks nothing, even on a forged form."""
    report = data.draw(reports(consent=(profile_id,)))
    texts = {fid: data.draw(ANY_TEXT, label=fid) for fid in FREE_TEXT}
    report.update(texts)
    report["consent_share_contact"] = data.draw(st.sampled_from(["yes", "no"]))
    try:
        built = build_referral(report, profiles()[profile_id], packs(), on_date=ON, lang="en")
    except PolicyError:
        return  # refused outright: nothing leaves
    # The advocate's form, as an attacker might post it: every text area filled, no include ticked.
    post = {f"text_{fid}": text for fid, text in texts.items()}
    candidate = services.reviewed(built, post)
    final = services.narrow(candidate, services.edited_from_post(candidate, post))
    readable = _as_received(final)
    assert not set(final.field_ids) & set(FREE_TEXT)
    # Nothing of it leaves: what the recipient reads is exactly what the same report without any
    # free text gives (a plain "not in" could be fooled by a text that happens to spell a code).
    without = {k: v for k, v in report.items() if k not in FREE_TEXT}
    assert readable == _as_received(build_referral(without, profiles()[profile_id], packs(), on_date=ON, lang="en"))
    for fid, text in texts.items():
        assert readable.count(text.strip()) == _as_received(
            build_referral(without, profiles()[profile_id], packs(), on_date=ON, lang="en")
        ).count(text.strip()), fid
