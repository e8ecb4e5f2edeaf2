"""Steps a reporter takes in the browser, shared by the browser tests."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone

from intake.forms import ReportForm
from tests.conftest import FULL_REPORT

if TYPE_CHECKING:
    from playwright.sync_api import Page

RECEIPT_GROUP = re.compile(r"^[0-9A-Z]{4}$")
CONTINUE = "Continue: check before sending"


def sample_report() -> dict:
    """FULL_REPORT with a date three days ago (the form refuses dates in the future)."""
    three_days_ago = timezone.localdate() - datetime.timedelta(days=3)
    return dict(FULL_REPORT, incident_date=three_days_ago.isoformat())


def choose(page: Page, name: str, value: str) -> None:
    """Tick a checkbox or pick a radio button, as a finger on its label would."""
    page.locator(f'input[name="{name}"][value="{value}"]').check()


def fill_report(page: Page, data: dict) -> None:
    """Fill the report form with ``data`` (field name → value or list of values)."""
    for name, value in data.items():
        widget = ReportForm.base_fields[name].widget
        if isinstance(value, list):
            for item in value:
                choose(page, name, item)
        elif value == "":
            continue
        elif isinstance(widget, forms.RadioSelect):
            choose(page, name, value)
        else:
            page.locator(f'[name="{name}"]').fill(value)


def heading(page: Page) -> str:
    return page.locator("h1").inner_text().strip()


def press_continue(page: Page) -> None:
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_load_state()


def send_and_read_receipt(page: Page) -> str:
    """Press Send on the confirmation page; return the receipt shown, as XXXX-XXXX-…"""
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    assert heading(page) == "Your report was sent"
    groups = [text.strip() for text in page.locator(".receipt-group").all_inner_texts()]
    assert len(groups) == 5, groups
    assert all(RECEIPT_GROUP.match(group) for group in groups), groups
    return "-".join(groups)


def acknowledge_receipt(page: Page) -> None:
    """Tick "I have written it down" and continue to the thank-you page."""
    page.get_by_label("I have written it down").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert heading(page) == "Thank you"


def open_with_receipt(page: Page, base: str, typed: str) -> None:
    page.goto(base + "/check/")
    page.get_by_label("Your receipt").fill(typed)
    page.get_by_role("button", name="Open my report").click()
    page.wait_for_load_state()
    assert heading(page) == "Your report", page.locator("main").inner_text()


def as_typed_by_hand(receipt: str) -> str:
    """The receipt as someone copies it from paper: small letters, spaces between the groups."""
    return receipt.replace("-", " ").lower()
