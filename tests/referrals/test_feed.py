"""Alerts that reach people: subscribers' secret feed links, and the printable bulletin.

Nothing in an alert — text, id, URL, time — may point back to a report: every
free-text answer carries a canary, and the tests search the feed's XML and the
bulletin's bytes and text for the canaries, the report id and the referral id.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from defusedxml.ElementTree import fromstring
from django.utils import timezone
from pypdf import PdfReader

from audit.models import Event
from intake.models import Report
from referrals import alerts
from referrals.models import AlertSubscriber, PublishedAlert, Referral
from tests.conftest import FULL_REPORT, CsrfClient, submit_report
from tests.referrals.support import anywhere_in_the_database, publish_alert, write_alert
from vault.publication import feed_token_digest

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# Every answer in the reporter's own words carries a canary. The alert may carry the three the
# peer_alert profile allows, and only those the advocates included.
CANARIES = {
    "crime_other": "zqcrimeotherzq",
    "when_approx": "zqwhenzq",
    "area": "zqareazq Mission",
    "place_precise": "zqplacezq",
    "perp_description": "tall man zqdescriptionzq",
    "perp_name": "zqperpnamezq",
    "perp_phone": "415-555-0199",
    "perp_vehicle": "silver Civic zqvehiclezq",
    "injuries": "zqinjurieszq",
    "needs_other": "zqneedsotherzq",
    "narrative": "He took my bag zqnarrativezq.",
    "ctx_payment": "zqpaymentzq",
    "ctx_drugs": "zqdrugszq",
    "ctx_weapon": "zqweaponzq",
    "ctx_legal": "zqlegalzq",
    "ctx_notes": "zqnoteszq",
    "reporter_name": "zqreporternamezq",
    "contact_signal": "zqsignalzq",
    "contact_safe_times": "zqsafetimeszq",
}
PUBLISHED = ("perp_description", "perp_vehicle")  # what the author includes below


def _published_alert(logged_in) -> tuple[Report, Referral]:
    submit_report(CsrfClient(), dict(FULL_REPORT, consent=["peer_alert"], **CANARIES))
    report = Report.objects.get()
    alert = write_alert(logged_in("advocate"), report, **dict.fromkeys(PUBLISHED, "1"))
    assert publish_alert(logged_in("colleague"), alert).status_code == 302
    return report, alert


def _subscribe(logged_in, name: str = "outreach van", lang: str = "en") -> str:
    """Make a subscriber as the administrator; return the link's path, read from the page shown once."""
    page = logged_in("admin").submit("/staff/alerts/subscribers/", {"name": name, "lang": lang})
    assert page.status_code == 200, page.content.decode()[:500]
    match = re.search(r"http://testserver(/feeds/alerts/([A-Za-z0-9_-]+)/)", page.content.decode())
    assert match, "the link is on the page"
    return match.group(1)


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _fetch(path: str, method: str = "get"):
    return getattr(CsrfClient(), method)(path)


def _absent(haystack: bytes, report: Report, alert: Referral) -> list[str]:
    """What of the report is in ``haystack``: canaries not published, its ids."""
    found = [name for name, value in CANARIES.items() if name not in PUBLISHED and value.encode() in haystack]
    found += [
        name for name, value in (("report id", report.id), ("referral id", alert.id)) if value.encode() in haystack
    ]
    found += ["referral id, short"] if alert.id[:8].encode() in haystack else []
    if report.lookup_id and report.lookup_id.encode() in haystack:
        found.append("receipt lookup id")
    return found


# --- subscribers ---------------------------------------------------------------------------------


def test_a_new_link_is_shown_once_and_kept_only_as_a_keyed_hash(staff, logged_in):
    path = _subscribe(logged_in)
    token = _token(path)
    assert len(token) == 43  # 256 bits of URL-safe base64
    subscriber = AlertSubscriber.objects.get()
    assert subscriber.name == "outreach van" and subscriber.token_digest == feed_token_digest(token)
    assert anywhere_in_the_database(token.encode()) == []
    assert anywhere_in_the_database(token[:20].encode()) == []
    listing = logged_in("admin").get("/staff/alerts/subscribers/").content.decode()
    assert "outreach van" in listing and token not in listing
    assert Event.objects.filter(actor="admin", action="subscriber.created", object_id=str(subscriber.pk)).exists()


def test_two_links_never_share_a_token(staff, logged_in):
    assert _token(_subscribe(logged_in, "van")) != _token(_subscribe(logged_in, "drop-in"))


def test_only_an_administrator_manages_subscribers(staff, logged_in):
    for role in ("advocate", "recipient", "auditor", "outsider"):
        assert logged_in(role).get("/staff/alerts/subscribers/").status_code == 403
        assert logged_in(role).submit("/staff/alerts/subscribers/", {"name": "x", "lang": "en"}).status_code == 403
    assert not AlertSubscriber.objects.exists()
    assert CsrfClient().get("/staff/alerts/subscribers/").status_code == 302


def test_a_subscriber_needs_a_name(staff, logged_in):
    page = logged_in("admin").submit("/staff/alerts/subscribers/", {"name": "", "lang": "en"})
    assert page.status_code == 400 and not AlertSubscriber.objects.exists()


# --- the feed ------------------------------------------------------------------------------------


def test_the_feed_carries_the_published_alert_without_session_or_store(staff, logged_in):
    report, alert = _published_alert(logged_in)
    path = _subscribe(logged_in)
    response = _fetch(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies, "the feed sets no cookie: no session, no CSRF token"
    feed = fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    (entry,) = feed.findall(f"{ATOM}entry")
    content = entry.findtext(f"{ATOM}content")
    assert CANARIES["perp_vehicle"] in content and CANARIES["perp_description"] in content
    assert "Robbery" in entry.findtext(f"{ATOM}title")
    copy = PublishedAlert.objects.get()
    assert entry.findtext(f"{ATOM}id") == f"urn:uuid:{copy.id}"
    assert not feed.findall(f".//{ATOM}link"), "no link: an entry has its content, and a self link would copy the token"
    assert AlertSubscriber.objects.get().last_read_on == timezone.localdate()


def test_nothing_in_the_feed_points_back_to_the_report(staff, logged_in):
    report, alert = _published_alert(logged_in)
    xml = _fetch(_subscribe(logged_in)).content
    assert _absent(xml, report, alert) == []
    feed = fromstring(xml)
    times = [el.text for el in feed.iter() if el.tag in (f"{ATOM}updated", f"{ATOM}published")]
    assert times and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", t) for t in times), times
    ids = [el.text for el in feed.iter(f"{ATOM}id")]
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", i) for i in ids), ids
    # The canaries were really in the report: the advocates' copy of the alert holds the published ones.
    assert CANARIES["perp_vehicle"].encode() in xml


def test_the_feed_carries_only_published_unexpired_alerts(staff, logged_in, monkeypatch):
    report, published = _published_alert(logged_in)
    waiting = write_alert(logged_in("advocate"), report, area="1")
    path = _subscribe(logged_in)
    xml = _fetch(path).content
    assert CANARIES["area"].encode() not in xml and len(fromstring(xml).findall(f"{ATOM}entry")) == 1
    monkeypatch.setattr(alerts, "now", lambda: timezone.now() + timedelta(days=31))
    assert fromstring(_fetch(path).content).findall(f"{ATOM}entry") == []
    monkeypatch.undo()
    logged_in("advocate").submit(f"/staff/referrals/{published.id}/", {"action": "retract"})
    assert fromstring(_fetch(path).content).findall(f"{ATOM}entry") == []
    waiting.refresh_from_db()
    assert waiting.status == "alert_review"  # still waiting, and never in the feed


def test_the_feed_speaks_the_subscribers_language(staff, logged_in):
    _published_alert(logged_in)
    xml = _fetch(_subscribe(logged_in, "furgoneta", "es")).content.decode()
    assert 'xml:lang="es"' in xml and "Avisos de seguridad" in xml and "Robo" in xml


def test_a_revoked_link_answers_404(staff, logged_in):
    _published_alert(logged_in)
    path = _subscribe(logged_in)
    subscriber = AlertSubscriber.objects.get()
    assert _fetch(path).status_code == 200
    assert logged_in("admin").submit(f"/staff/alerts/subscribers/{subscriber.pk}/revoke/").status_code == 302
    response = _fetch(path)
    assert response.status_code == 404 and b"zqvehiclezq" not in response.content
    assert Event.objects.filter(action="subscriber.revoked", object_id=str(subscriber.pk)).exists()
    assert "revoked" in logged_in("admin").get("/staff/alerts/subscribers/").content.decode()


def test_only_an_administrator_revokes_and_only_by_post(staff, logged_in):
    _subscribe(logged_in)
    subscriber = AlertSubscriber.objects.get()
    url = f"/staff/alerts/subscribers/{subscriber.pk}/revoke/"
    assert logged_in("advocate").submit(url).status_code == 403
    assert logged_in("admin").get(url).status_code == 405
    assert logged_in("admin").submit("/staff/alerts/subscribers/999999/revoke/").status_code == 404
    assert AlertSubscriber.objects.get().revoked_at is None


def _variants(token: str) -> dict[str, str]:
    flipped = ("A" if token[0] != "A" else "B") + token[1:]
    return {
        "forged": flipped,
        "truncated": token[:-1],
        "half": token[:22],
        "extended": token + "A",
        "upper": token.upper() if token.upper() != token else token.lower(),
        "newline": token + "%0A",
        "padded": token + "%3D",
        "empty": "",
        "another installation's digest": feed_token_digest(token),
    }


def test_a_forged_or_truncated_token_answers_404(staff, logged_in):
    _published_alert(logged_in)
    token = _token(_subscribe(logged_in))
    assert _fetch(f"/feeds/alerts/{token}/").status_code == 200
    for name, variant in _variants(token).items():
        response = _fetch(f"/feeds/alerts/{variant}/")
        assert response.status_code == 404, name
        assert b"zqvehiclezq" not in response.content and not response.cookies, name
    assert AlertSubscriber.objects.get().last_read_on is not None


def test_the_feed_answers_get_and_head_only(staff, logged_in):
    path = _subscribe(logged_in)
    assert _fetch(path, "head").status_code == 200
    for method in ("post", "put", "delete"):
        assert _fetch(path, method).status_code == 405, method


# --- the bulletin --------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_bulletin_carries_published_alerts_and_nothing_of_the_report(staff, logged_in):
    report, alert = _published_alert(logged_in)
    write_alert(logged_in("advocate"), report, area="1")  # waiting for review: not in the bulletin
    response = logged_in("advocate").get("/staff/alerts/bulletin/?lang=en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "no-store" in response["Cache-Control"]
    text = _pdf_text(response.content)
    assert "zqvehiclezq" in text and "zqdescriptionzq" in text  # the text can be read back
    assert _absent(text.encode(), report, alert) == []
    assert _absent(response.content, report, alert) == []
    assert "zqareazq" not in text
    assert not re.search(r"\d{1,2}:\d{2}", text), "no time of day"
    assert Event.objects.filter(actor="advocate", action="alert.bulletin").exists()


def test_the_bulletin_comes_in_spanish(staff, logged_in):
    _published_alert(logged_in)
    text = _pdf_text(logged_in("advocate").get("/staff/alerts/bulletin/?lang=es").content)
    assert "Avisos de seguridad" in text and "Robo" in text


def test_an_empty_bulletin_says_so(staff, logged_in):
    text = _pdf_text(logged_in("colleague").get("/staff/alerts/bulletin/").content)
    assert "No alerts are published right now." in text


def test_only_advocates_print_the_bulletin(staff, logged_in):
    for role in ("admin", "recipient", "auditor", "outsider"):
        assert logged_in(role).get("/staff/alerts/bulletin/").status_code == 403
    assert CsrfClient().get("/staff/alerts/bulletin/").status_code == 302
    assert logged_in("advocate").submit("/staff/alerts/bulletin/").status_code == 405
