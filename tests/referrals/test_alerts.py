"""Peer safety alerts that two people check: the author can never publish alone, and alerts expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from intake.models import Report
from periodic import registry
from periodic.services import run_due
from referrals import alerts
from referrals.models import AlertReview, PublishedAlert, Referral
from tests.conftest import FULL_REPORT, CsrfClient, hidden, submit_report
from tests.periodic.test_scheduler import run_worker
from tests.referrals.support import anywhere_in_the_database, publish_alert, write_alert
from vault import referrals as vault_referrals

pytestmark = pytest.mark.django_db

DESCRIPTION = "tall man, grey hoodie, scar on left hand"
VEHICLE = "silver Honda Civic 7ABC123"


def _report(**changes):
    data = dict(FULL_REPORT, consent=["peer_alert"], perp_description=DESCRIPTION, perp_vehicle=VEHICLE, **changes)
    receipt, _ = submit_report(CsrfClient(), data)
    return receipt, Report.objects.get()


def _waiting(logged_in, **include) -> Referral:
    _receipt, report = _report()
    return write_alert(logged_in("advocate"), report, **(include or {"perp_description": "1", "perp_vehicle": "1"}))


def _key(staff, alert: Referral) -> bytes:
    return vault_referrals.unwrap_key(bytes(alert.org_wrap), alert.id, staff["org_private"])


def _actions(referral: Referral) -> list[tuple[str, str]]:
    return list(Event.objects.filter(object_id=referral.id).order_by("seq").values_list("actor", "action"))


def test_an_alert_waits_for_a_second_advocate_and_is_then_published(staff, logged_in):
    alert = _waiting(logged_in)
    assert alert.status == "alert_review" and not PublishedAlert.objects.exists()
    listing = logged_in("colleague").get("/staff/alerts/").content.decode()
    assert f"/staff/alerts/{alert.id}/review/" in listing and "Check this alert" in listing
    assert VEHICLE not in listing  # not published yet: nothing of it is listed as published

    page = logged_in("colleague").get(f"/staff/alerts/{alert.id}/review/").content.decode()
    preview = page[page.index("Exactly what would be published") : page.index("Remove more, then publish")]
    assert VEHICLE in preview and DESCRIPTION in preview
    assert publish_alert(logged_in("colleague"), alert).status_code == 302

    alert.refresh_from_db()
    assert alert.status == "published" and alert.get_status_display() == "Safety alert published"
    review = AlertReview.objects.get(referral=alert)
    assert review.approved and review.reviewer == staff["colleague"]
    copy = PublishedAlert.objects.get(referral=alert)
    assert copy.expires_at - timezone.now() > timedelta(days=29)
    assert VEHICLE in logged_in("advocate").get("/staff/alerts/").content.decode()
    assert _actions(alert) == [("advocate", "alert.submitted"), ("colleague", "alert.approved")]


def test_the_author_sees_it_waits_and_gets_no_form(staff, logged_in):
    alert = _waiting(logged_in)
    page = logged_in("advocate").get(f"/staff/alerts/{alert.id}/review/").content.decode()
    assert "You wrote this alert" in page
    assert 'value="publish"' not in page and 'value="send_back"' not in page
    listing = logged_in("advocate").get("/staff/alerts/").content.decode()
    assert "yours: a colleague must check it" in listing
    assert f"/staff/alerts/{alert.id}/review/" not in listing


@pytest.mark.parametrize(
    "data", [{"action": "publish"}, {"action": "send_back", "reason": "looks fine to me"}, {"action": "send_back"}]
)
def test_a_forged_post_by_the_author_publishes_nothing(staff, logged_in, data):
    alert = _waiting(logged_in)
    response = logged_in("advocate").submit(f"/staff/alerts/{alert.id}/review/", data)
    assert response.status_code == 403
    assert "a second advocate must" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "alert_review"
    assert not PublishedAlert.objects.exists() and not AlertReview.objects.exists()


def test_the_service_refuses_the_author_whatever_the_view_does(staff, logged_in):
    alert = _waiting(logged_in)
    key = _key(staff, alert)
    final = alerts.candidate(vault_referrals.decrypt(key, alert.id, "body", bytes(alert.body)))
    with pytest.raises(alerts.OwnAlert):
        alerts.approve(alert, staff["advocate"], key, final)
    with pytest.raises(alerts.OwnAlert):
        alerts.send_back(alert, staff["advocate"], key, "no")
    assert Referral.objects.get().status == "alert_review" and not PublishedAlert.objects.exists()
    alerts.approve(alert, staff["colleague"], key, final)
    with pytest.raises(alerts.NotWaiting):  # decided once, never twice
        alerts.approve(alert, staff["colleague"], key, final)
    assert PublishedAlert.objects.count() == 1


def test_a_decided_alert_cannot_be_decided_again(staff, logged_in):
    alert = _waiting(logged_in)
    assert publish_alert(logged_in("colleague"), alert).status_code == 302
    again = logged_in("colleague").submit(f"/staff/alerts/{alert.id}/review/", {"action": "send_back", "reason": "x"})
    assert again.status_code == 409
    assert Referral.objects.get().status == "published" and AlertReview.objects.count() == 1


def test_the_reviewer_can_only_narrow_what_is_published(staff, logged_in):
    alert = _waiting(logged_in)
    url = f"/staff/alerts/{alert.id}/review/"
    reviewer = logged_in("colleague")

    added = reviewer.submit(url, {"action": "publish", "text_perp_vehicle": VEHICLE + ", and she lives on 5th St"})
    assert added.status_code == 400 and "Staff may remove more, never less" in added.content.decode()
    assert not PublishedAlert.objects.exists()

    narrowed = {"action": "publish", "drop_perp_description": "1", "text_perp_vehicle": "silver Honda Civic [removed]"}
    assert reviewer.submit(url, narrowed).status_code == 302
    published = alerts.published()
    assert len(published) == 1
    values = {f["id"]: f["value"] for f in published[0].fields}
    assert values["perp_vehicle"] == "silver Honda Civic [removed]"
    assert "perp_description" not in values
    # The advocates' copy says what was published, too.
    alert.refresh_from_db()
    body = vault_referrals.decrypt(_key(staff, alert), alert.id, "body", bytes(alert.body))
    assert {f["id"]: f["value"] for f in body["fields"]}["perp_vehicle"] == "silver Honda Civic [removed]"


def test_the_reviewer_previews_removals_before_publishing(staff, logged_in):
    alert = _waiting(logged_in)
    page = logged_in("colleague").submit(
        f"/staff/alerts/{alert.id}/review/", {"action": "preview", "drop_perp_description": "1"}
    )
    html = page.content.decode()
    preview = html[html.index("Exactly what would be published") : html.index("Remove more, then publish")]
    assert page.status_code == 200 and DESCRIPTION not in preview and VEHICLE in preview
    assert not PublishedAlert.objects.exists()


def test_an_alert_sent_back_tells_its_author_why(staff, logged_in):
    alert = _waiting(logged_in)
    url = f"/staff/alerts/{alert.id}/review/"
    empty = logged_in("colleague").submit(url, {"action": "send_back", "reason": "  "})
    assert empty.status_code == 400 and Referral.objects.get().status == "alert_review"

    reason = "The vehicle is the one she drives zqreasonzq."
    assert logged_in("colleague").submit(url, {"action": "send_back", "reason": reason}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == "alert_rejected" and not PublishedAlert.objects.exists()
    page = logged_in("advocate").get(f"/staff/referrals/{alert.id}/").content.decode()
    assert "Safety alert sent back by the second advocate" in page
    assert "Why it was sent back" in page and reason in page and "colleague" in page
    assert anywhere_in_the_database(b"zqreasonzq") == []  # the reason is stored encrypted
    assert _actions(alert)[-1] == ("colleague", "alert.sent_back")


@pytest.mark.parametrize("who", ["advocate", "colleague"])
def test_any_advocate_can_retract_an_alert_published_or_waiting(staff, logged_in, who):
    alert = _waiting(logged_in)
    assert publish_alert(logged_in("colleague"), alert).status_code == 302
    assert logged_in(who).submit(f"/staff/referrals/{alert.id}/", {"action": "retract"}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == "retracted" and not PublishedAlert.objects.exists() and alerts.published() == []
    again = logged_in(who).submit(f"/staff/referrals/{alert.id}/", {"action": "retract"})
    assert again.status_code == 400  # nothing left to retract
    assert _actions(alert)[-1] == (who, "alert.retracted")

    second = write_alert(logged_in("advocate"), Report.objects.get(), perp_vehicle="1")
    assert logged_in("advocate").submit(f"/staff/referrals/{second.id}/", {"action": "retract"}).status_code == 302
    assert Referral.objects.get(pk=second.pk).status == "retracted"


def test_an_alert_expires_through_the_scheduler_and_the_worker(staff, logged_in, monkeypatch, settings):
    settings.HARBOR_ALERT_DAYS = 30
    alert = _waiting(logged_in)
    assert publish_alert(logged_in("colleague"), alert).status_code == 302
    (entry,) = [e for e in registry.PERIODIC if e.name == "referrals.expire_alerts"]
    start = timezone.now()

    monkeypatch.setattr(alerts, "now", lambda: start + timedelta(days=29, hours=23))
    assert run_due(start, [entry]) == ["referrals.expire_alerts"]
    run_worker(monkeypatch)
    assert Referral.objects.get().status == "published" and len(alerts.published()) == 1

    later = start + timedelta(days=30, minutes=1)
    monkeypatch.setattr(alerts, "now", lambda: later)
    assert alerts.published() == []  # left out at once, even before the task has run
    assert run_due(start + timedelta(hours=2), [entry]) == ["referrals.expire_alerts"]
    run_worker(monkeypatch)
    alert.refresh_from_db()
    assert alert.status == "alert_expired" and alert.get_status_display() == "Safety alert expired"
    assert not PublishedAlert.objects.exists()
    assert _actions(alert)[-1] == (alerts.EXPIRY_ACTOR, "alert.expired")


def test_the_expiry_is_one_line_in_the_registry_and_follows_its_setting(settings):
    (entry,) = [e for e in registry.PERIODIC if e.name == "referrals.expire_alerts"]
    assert entry.resolve().module_path == "referrals.tasks.expire_alerts"
    settings.HARBOR_ALERT_EXPIRE_EVERY = 900
    assert entry.interval() == 900
    settings.HARBOR_ALERT_EXPIRE_EVERY = 0
    assert entry.interval() == 0


def test_withdrawn_consent_takes_a_published_alert_down(staff, logged_in):
    receipt, report = _report()
    alert = write_alert(logged_in("advocate"), report, perp_vehicle="1")
    assert publish_alert(logged_in("colleague"), alert).status_code == 302
    check = CsrfClient()
    token = hidden(check.submit("/check/", {"receipt": receipt}), "token")
    assert "Published as an anonymous safety warning" in check.submit("/check/", {"receipt": receipt}).content.decode()
    saved = check.submit(
        "/check/consent/", {"token": token, "consent": ["victim_services"], "consent_share_contact": "no"}
    )
    assert saved.status_code == 200
    alert.refresh_from_db()
    assert alert.status == "retracted" and not PublishedAlert.objects.exists() and alerts.published() == []


def test_the_reporter_reads_each_alert_status_in_words(staff, logged_in):
    receipt, report = _report()
    alert = write_alert(logged_in("advocate"), report, perp_vehicle="1")
    page = CsrfClient().submit("/check/", {"receipt": receipt}).content.decode()
    assert "waiting for a second advocate to check it" in page
    Referral.objects.filter(pk=alert.pk).update(status="alert_expired")
    assert "has come down" in CsrfClient().submit("/check/", {"receipt": receipt}).content.decode()
    Referral.objects.filter(pk=alert.pk).update(status="alert_rejected")
    assert "decided not to publish" in CsrfClient().submit("/check/", {"receipt": receipt}).content.decode()
