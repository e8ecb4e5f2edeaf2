"""Shared fixtures: the organisation key, a CSRF-enforcing client, a filled-in report."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import settings

from vault import crypto

PASSWORD = "correct horse battery staple 42"

# Property tests search at random when run by hand (`make test`), so new cases keep being
# found; CI (.ci/run sets HYPOTHESIS_PROFILE=ci) runs a fixed sequence, so that whether a
# commit lands does not depend on luck. A case found by hand becomes an @example.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("default", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _fresh_process_state():
    """Each test starts with no cached organisation key, an empty cache and the default language.

    A request through LocaleMiddleware leaves its language active in the thread: a test that
    calls a function directly after one asked for /es/ would otherwise run in Spanish.
    """
    from django.core.cache import cache
    from django.utils import translation

    from vault.custody import forget_active_org_key

    forget_active_org_key()
    cache.clear()
    translation.deactivate()
    yield
    forget_active_org_key()
    translation.deactivate()


@dataclass
class OrgKeys:
    org_key: object
    private: bytes
    holder: object


@pytest.fixture
def org_keys(db) -> OrgKeys:
    """An organisation key granted to one advocate; ``private`` opens report DEKs."""
    from django.contrib.auth import get_user_model

    from vault.custody import create_org_key, create_staff_key, open_grant, unlock_staff_key

    user = get_user_model().objects.create_user("holder", password=PASSWORD, is_staff=True)
    staff_key = create_staff_key(user, PASSWORD)
    org_key = create_org_key(staff_key)
    private = open_grant(org_key.grants.get(), unlock_staff_key(staff_key, PASSWORD))
    return OrgKeys(org_key=org_key, private=private, holder=user)


class CsrfClient(Client):
    """A test client that enforces CSRF, and knows how to send a form like a browser."""

    def __init__(self, **kwargs):
        super().__init__(enforce_csrf_checks=True, **kwargs)

    def token(self, url: str = "/check/") -> str:
        if "csrftoken" not in self.cookies:
            self.get(url)
        return self.cookies["csrftoken"].value

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form; on the reporter's pages, follow the redirect a send answers with, like a browser.

        Every reporter send answers with a redirect (Post/Redirect/Get); tests of the redirect
        itself pass ``follow=False``.
        """
        data = dict(data or {})
        data.setdefault("csrfmiddlewaretoken", self.token())
        kwargs.setdefault("follow", re.sub(r"^/[a-z]{2}(-[a-z]+)?/", "/", url).startswith(("/report/", "/check/")))
        return self.post(url, data, **kwargs)


@pytest.fixture
def client() -> CsrfClient:
    return CsrfClient()


def hidden(response, name: str) -> str:
    """Return the value of a hidden input named ``name`` in a response's HTML."""
    html = response.content.decode()
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html) or re.search(
        rf'name="{name}"[^>]*value="([^"]*)"', html
    )
    assert match, f"no hidden input {name!r} in page"
    return match.group(1).replace("&amp;", "&")


def receipt_in(response) -> str:
    groups = re.findall(r'<span class="receipt-group">([0-9A-Z]{4})</span>', response.content.decode())
    assert len(groups) == 5, "no receipt on the page"
    return "-".join(groups)


FULL_REPORT = {
    "crime_types": ["robbery", "physical_assault"],
    "crime_other": "",
    "role": "victim",
    "incident_date": "2026-11-01",
    "incident_time": "23:30",
    "when_approx": "late at night",
    "area": "Mission District",
    "place_precise": "Room 12, Sunrise Motel, 1234 Example St",
    "perp_count": "one",
    "perp_relationship": "client",
    "perp_is_authority": "no",
    "perp_description": "tall man, grey hoodie, scar on left hand",
    "perp_name": "Mike",
    "perp_phone": "415-555-0134",
    "perp_vehicle": "silver Honda Civic 7ABC123",
    "injured": "yes",
    "injuries": "bruised ribs",
    "safe_now": "yes",
    "reporter_under_18": "no",
    "needs": ["medical", "legal"],
    "needs_other": "",
    "narrative": "He pushed me against the wall and took my phone and bag.",
    "ctx_working": "yes",
    "ctx_payment": "he paid 200 then took it back",
    "ctx_drugs": "",
    "ctx_weapon": "",
    "ctx_immigration": "prefer_not",
    "ctx_legal": "",
    "ctx_notes": "",
    "reporter_name": "Jade",
    "contact_method": "signal",
    "contact_signal": "jade.42",
    "contact_phone": "",
    "contact_email": "",
    "contact_safe_times": "after noon",
    "contact_leave_message": "no",
    "consent": ["victim_services"],
    "consent_share_contact": "no",
}


def start_form(client: CsrfClient, **extra) -> dict:
    """GET the form and return the hidden fields a browser would send back."""
    response = client.get("/report/", **extra)
    assert response.status_code == 200
    return {"started": hidden(response, "started"), "csrfmiddlewaretoken": client.token()}


def fill_and_preview(client: CsrfClient, data: dict | None = None, files: dict | None = None, **extra):
    payload = start_form(client, **extra)
    payload.update(FULL_REPORT if data is None else data)
    payload["action"] = "preview"
    if files:
        payload.update(files)
    return client.post("/report/", payload, **extra)


def submit_report(client: CsrfClient, data: dict | None = None, files: dict | None = None) -> tuple[str, object]:
    """Fill, confirm and send a report; return (receipt, receipt page response)."""
    preview = fill_and_preview(client, data, files)
    assert preview.status_code == 200, preview.content.decode()[:3000]
    response = client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    assert response.status_code == 200, response.content.decode()[:2000]
    return receipt_in(response), response


__all__ = [
    "FULL_REPORT",
    "CsrfClient",
    "crypto",
    "fill_and_preview",
    "hidden",
    "receipt_in",
    "start_form",
    "submit_report",
]
