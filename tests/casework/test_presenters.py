"""Reporter times read as the hour they stand for, in the reader's language; codes read as words."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from casework import presenters

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
NOW = datetime.datetime(2026, 12, 6, 9, 41, tzinfo=LA)


def at(day: int, hour: int, month: int = 12, year: int = 2026) -> datetime.datetime:
    """An hour as Harbor keeps it: rounded down, stored in UTC."""
    return datetime.datetime(year, month, day, hour, tzinfo=LA).astimezone(datetime.UTC)


@pytest.fixture(autouse=True)
def _los_angeles():
    with override_settings(TIME_ZONE="America/Los_Angeles"), timezone.override(LA):
        yield


@pytest.mark.parametrize(
    ("when", "english", "spanish"),
    [
        (at(6, 8), "today, 8–9 am", "hoy, 8–9 h"),
        (at(5, 20), "yesterday, 8–9 pm", "ayer, 20–21 h"),
        (at(3, 20), "3 Dec, 8–9 pm", "3 Dic, 20–21 h"),
        (at(3, 20, year=2025), "3 Dec 2025, 8–9 pm", "3 Dic 2025, 20–21 h"),
        (at(6, 11), "today, 11 am–noon", "hoy, 11–12 h"),
        (at(6, 12), "today, noon–1 pm", "hoy, 12–13 h"),
        (at(5, 23), "yesterday, 11 pm–midnight", "ayer, 23–24 h"),
        (at(6, 0), "today, midnight–1 am", "hoy, 0–1 h"),
    ],
)
def test_an_hour_reads_as_the_hour_it_stands_for(when, english, spanish):
    with translation.override("en"):
        assert presenters.reporter_hour(when, now=NOW) == english
    with translation.override("es"):
        assert presenters.reporter_hour(when, now=NOW) == spanish


def test_it_never_shows_a_minute_it_does_not_know():
    with translation.override("en"):
        texts = [presenters.reporter_hour(at(6, 0) + datetime.timedelta(hours=h), now=NOW) for h in range(24)]
    assert not [text for text in texts if ":" in text], texts  # never "20:00", which claims a minute
    assert texts[20] == "today, 8–9 pm"


def test_a_time_zone_off_the_hour_shows_the_true_span():
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")  # UTC+5:30: an hour kept in UTC starts at half past
    with timezone.override(kolkata), translation.override("en"):
        when = datetime.datetime(2026, 12, 6, 14, tzinfo=datetime.UTC)
        assert presenters.reporter_hour(when, now=when) == "today, 7:30–8:30 pm"


def test_nothing_reads_as_nothing():
    assert presenters.reporter_hour(None) == ""


def test_codes_read_as_words_and_unknown_ones_as_they_are():
    with translation.override("en"):
        assert presenters.crime_words(["robbery", "physical_assault"]) == (
            "Robbery (something taken by force or threat), Physical assault (hit, choked, hurt)"
        )
        assert presenters.consent_words(["record_only"]) == "no one: record only"
        assert presenters.consent_words([]) == "no one: record only"
        assert presenters.consent_words(["victim_services", "peer_alert"]) == (
            "Victim services, Anonymous safety warning to other workers"
        )
        assert presenters.role_name("auditor") == "Auditor"
        assert presenters.verification_words("secondary") == "from a secondary source"
        assert presenters.protection_status_words("may_apply") == "may apply"
        # A value stored past the form is shown as it is (the template escapes it), never dropped.
        assert presenters.crime_words(["<b>odd</b>"]) == "<b>odd</b>"
    with translation.override("es"):
        assert presenters.crime_words(["robbery"]) == "Robo (le quitaron algo con fuerza o con amenazas)"


def test_audit_actions_read_as_what_the_actor_did():
    with translation.override("en"):
        assert presenters.audit_action("report.viewed") == "opened a report"
        assert presenters.audit_action("report.status.waiting") == "set a report's status to “Waiting on reporter”"
        assert presenters.audit_action("referral.status.declined") == "marked a referral “Declined”"
        assert presenters.audit_action("something.new") == "something.new"
        assert presenters.audit_actor("reporter") == "the reporter"
        assert presenters.audit_actor("advocate") == "advocate"
        assert presenters.audit_object("retention.changed", "in_review=30") == "In review: 30 days"
        assert presenters.audit_object("retention.changed", "closed=keep") == "Closed: kept"
        assert presenters.audit_object("report.viewed", "in_review=30") == "in_review=30"
    with translation.override("es"):
        assert presenters.audit_action("report.viewed") == "abrió un reporte"
