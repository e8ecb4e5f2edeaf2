"""The include step in Chromium: free text waits, removals are struck, flags are marked with their reason.

An advocate on a phone and on a desktop reads the reporter's own words beside what would leave,
and nothing of them reaches victim services until she ticks "Include" for that answer.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from intake import policy_bridge
from intake.services import open_with_receipt
from referrals.models import Referral
from referrals.presenters import REASON_LABELS
from tests.browser.test_dashboard import ORGANISATION, _click, choose_recipient, log_in, open_the_report, team  # noqa: F401
from tests.casework.conftest import PASSWORD
from tests.conftest import FULL_REPORT, CsrfClient, submit_report
from vault import referrals as vault_referrals
from vault.custody import unlock_staff_key

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NARRATIVE = (
    "I was working on the track that night. He gave me a gift card after the show. "
    "Then he punched me in the face and took my phone."
)
INJURIES = "bruised ribs and a cut lip"


def _held_narrative(receipt: str):
    """The narrative as the policy holds it for the advocate: original, removed runs, flags."""
    stored = open_with_receipt(receipt).answers()
    held = policy_bridge.build(stored, "victim_services", "en").held_text("narrative")
    assert held is not None
    return held.redaction


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_free_text_waits_and_the_advocate_sees_removals_and_flags(request, team, screen):  # noqa: F811
    receipt, _ = submit_report(CsrfClient(), dict(FULL_REPORT, narrative=NARRATIVE, injuries=INJURIES))
    redaction = _held_narrative(receipt)
    assert redaction.runs and redaction.flags, "the narrative must exercise both removal and a flag"
    site = request.getfixturevalue(screen)
    page = log_in(site, team["advocate"])
    open_the_report(page)
    choose_recipient(page, ORGANISATION)

    narrative = page.locator("fieldset.held-text").filter(has_text="What happened, in your words")
    source = narrative.locator(".review-source")
    # What the redactor removed is struck; what it flagged is marked, with the reason in words.
    start, end = redaction.runs[0]
    expect(source.locator("del.removed-auto").first).to_have_text(NARRATIVE[start:end])
    flag = redaction.flags[0]
    expect(source.locator("mark.review-flag").first).to_have_text(NARRATIVE[flag.start : flag.end])
    expect(source.locator(".flag-reason").first).to_have_text(f"[{REASON_LABELS[flag.reason]}]")
    expect(narrative).to_contain_text("1 flag to check" if len(redaction.flags) == 1 else "flags to check")
    # What would leave: the redacted text, in a box the advocate can narrow further.
    box = narrative.locator("textarea")
    expect(box).to_have_value(redaction.text)
    include = narrative.get_by_role("checkbox")
    expect(include).not_to_be_checked()
    # Nothing of her words is in the preview until she ticks it.
    preview = page.locator(".shared-preview")
    expect(preview).not_to_contain_text("punched me")
    expect(preview).not_to_contain_text(INJURIES)
    if screen == "phone":
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the include step is {overflow}px wider than a phone"

    # She takes out the flagged phrase herself, includes the narrative, and sends.
    flagged = redaction.text[redaction.flags_in_text()[0].start : redaction.flags_in_text()[0].end].strip(". ")
    box.fill(box.input_value().replace(flagged, "[removed]"))
    include.check()
    _click(page, "button", "Update the preview")
    expect(preview).to_contain_text("punched me in the face")
    expect(preview).not_to_contain_text(flagged)
    expect(preview).not_to_contain_text(INJURIES)  # not ticked: still held
    _click(page, "button", "Encrypt and send")

    referral = Referral.objects.get()
    private = unlock_staff_key(team["recipient"].vault_key, PASSWORD)
    key = vault_referrals.unwrap_key(bytes(referral.wraps.get().wrapped), referral.id, private)
    body = vault_referrals.decrypt(key, referral.id, "body", bytes(referral.body))
    sent = {f["id"]: f["value"] for f in body["fields"]}
    assert "punched me in the face" in sent["narrative"]
    assert flagged not in sent["narrative"] and NARRATIVE[start:end] not in sent["narrative"]
    assert "injuries" not in sent and "area" not in sent and "perp_description" not in sent
