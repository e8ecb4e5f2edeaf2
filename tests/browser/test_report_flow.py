"""A reporter on a phone sends a report, keeps the receipt, and comes back with it."""

from __future__ import annotations

import datetime
import io
import unicodedata

import pytest
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from intake.models import Attachment, Report
from tests.browser.flows import (
    acknowledge_receipt,
    as_typed_by_hand,
    choose,
    fill_report,
    heading,
    open_with_receipt,
    press_continue,
    sample_report,
    send_and_read_receipt,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MESSAGE = "I remembered: he had a tattoo of a snake on his neck."

# Long, with emoji, right-to-left scripts, accents, a combining-free NFC form and several paragraphs.
ODD_NARRATIVE = "\n".join(
    [
        "Él me empujó contra la pared — ¡y se llevó mi teléfono! 😡💔🏳️‍⚧️",
        "Er sagte: „Schön still sein“. Ça s'est passé près du café.",
        "قال لي: لا تتكلمي مع أحد. (Arabic: he told me not to talk to anyone.)",
        "הוא אמר: אל תספרי לאף אחד. (Hebrew, the same words.)",
        "",
        "Nguyễn, Łódź, Ørsted, Ĳssel, naïve résumé — 家に帰りたかった. 🚕🌧️",
    ]
    + [f"Line {n}: he kept the door locked and said nobody would believe me. 🔒" for n in range(60)]
)


def _send_and_check(site) -> None:
    """The whole reporter journey, from the landing page to a message read back with the receipt."""
    page = site.goto("/")
    page.get_by_role("link", name="Start a report").click()
    page.wait_for_load_state()
    assert heading(page) == "Your report"

    data = sample_report()
    # The two answers the form needs, by their visible labels, as a person finds them.
    page.get_by_label("Robbery (something taken by force or threat)").check()
    page.get_by_label("Physical assault (hit, choked, hurt)").check()
    page.get_by_label("It happened to me").check()
    fill_report(page, {k: v for k, v in data.items() if k not in {"crime_types", "role"}})
    press_continue(page)

    assert heading(page) == "Check before sending", page.locator("main").inner_text()
    main = page.locator("main")
    with translation.override("en"):
        written_date = date_format(datetime.date.fromisoformat(data["incident_date"]), "DATE_FORMAT")
    for shown in [
        "Robbery (something taken by force or threat)",
        "Physical assault (hit, choked, hurt)",
        "It happened to me",
        written_date,
        "23:30",
        data["area"],
        data["perp_vehicle"],
        data["narrative"],
        "Medical care, Legal help",
        "Victim services (help with safety, costs, court)",
        data["contact_signal"],
    ]:
        expect(main).to_contain_text(shown)
    expect(page.locator(".private-section")).to_contain_text(data["ctx_payment"])
    assert Report.objects.count() == 0, "nothing may be stored before Send"

    receipt = send_and_read_receipt(page)
    assert Report.objects.count() == 1
    acknowledge_receipt(page)

    open_with_receipt(page, site.base, as_typed_by_hand(receipt))
    expect(main).to_contain_text("Status: Received. An advocate will read it soon.")
    expect(main).to_contain_text("No messages yet.")
    page.get_by_label("Add details or write to the advocates").fill(MESSAGE)
    page.get_by_role("button", name="Send to the advocates").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_have_text("Sent. Only the advocates can read it.")
    expect(page.locator(".message")).to_have_count(1)
    expect(page.locator(".message")).to_contain_text("From you")
    expect(page.locator(".message")).to_contain_text(MESSAGE)
    site.assert_stayed_local()


def test_it_sends_and_checks_a_report_on_a_phone_with_javascript(phone, org_keys):
    _send_and_check(phone)
    assert phone.page.evaluate("document.documentElement.classList.contains('has-js')")


def test_it_sends_and_checks_a_report_on_a_phone_without_javascript(phone_nojs, org_keys):
    _send_and_check(phone_nojs)


def test_it_keeps_everything_typed_when_an_answer_is_missing(phone, org_keys):
    page = phone.goto("/report/")
    choose(page, "role", "witness")
    page.locator("#id_area").fill("Zona Norte — المنطقة الشمالية")
    choose(page, "needs", "shelter")
    choose(page, "injured", "unsure")
    narrative = page.get_by_label("What happened, in your words")
    narrative.fill(ODD_NARRATIVE[:-40])
    narrative.press("End")
    page.keyboard.type(ODD_NARRATIVE[-40:])  # the end typed key by key, emoji included
    assert narrative.input_value() == ODD_NARRATIVE
    press_continue(page)

    assert heading(page) == "Your report"
    expect(page.locator("#form-errors")).to_be_visible()
    error = page.locator("#div_id_crime_types .invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_have_text("Please choose at least one thing that happened, so we know how to help.")
    # Everything written is still there, exactly.
    assert narrative.input_value() == ODD_NARRATIVE
    assert page.locator("#id_area").input_value() == "Zona Norte — المنطقة الشمالية"
    expect(page.locator('input[name="role"][value="witness"]')).to_be_checked()
    expect(page.locator('input[name="needs"][value="shelter"]')).to_be_checked()
    expect(page.locator('input[name="injured"][value="unsure"]')).to_be_checked()

    page.get_by_label("Threats, blackmail or extortion").check()
    press_continue(page)
    assert heading(page) == "Check before sending"
    shown = page.locator("#sec-narrative + dl dd").inner_text()
    assert shown == unicodedata.normalize("NFC", ODD_NARRATIVE).strip()
    expect(page.locator("main")).to_contain_text("Threats, blackmail or extortion")
    expect(page.locator("main")).to_contain_text("I saw it happen to someone else")
    phone.assert_stayed_local()


def _png() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (180, 90, 120))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_it_sends_a_photo(phone, org_keys):
    page = phone.goto("/report/")
    page.get_by_label("Stalking or being followed").check()
    page.get_by_label("It happened to me").check()
    page.get_by_label("Photos (optional)").set_input_files(
        {"name": "threat.png", "mimeType": "image/png", "buffer": _png()}
    )
    press_continue(page)

    assert heading(page) == "Check before sending", page.locator("main").inner_text()
    expect(page.locator("main")).to_contain_text("1 photo, with location and camera details removed.")
    receipt = send_and_read_receipt(page)
    assert Attachment.objects.filter(report=Report.objects.get()).count() == 1
    acknowledge_receipt(page)
    open_with_receipt(page, phone.base, receipt)
    page.get_by_text("What you reported").click()
    expect(page.locator("details")).to_contain_text("1 photo.")
    phone.assert_stayed_local()
