"""The Notifications page: each person's own choices, off by default, for the roles that have news."""

from __future__ import annotations

import pytest

from audit.models import Event
from casework.models import NotificationMark, NotificationPreference
from tests.casework.conftest import make_staff, staff_login
from tests.conftest import CsrfClient

pytestmark = pytest.mark.django_db

URL = "/staff/notifications/"
SMTP = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def _save(client, **data):
    return client.submit(URL, {"language": "en", **data})


def test_it_is_off_by_default_and_says_when_the_server_cannot_send(staff, logged_in, settings):
    settings.MAILERS = {}
    page = logged_in("advocate").get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Notifications are turned off on this server" in html
    assert 'name="reports"' in html and 'name="messages"' in html and 'name="referrals"' not in html
    assert "checked" not in html
    assert not NotificationPreference.objects.exists()
    settings.MAILERS = SMTP
    assert "Notifications are turned off on this server" not in logged_in("advocate").get(URL).content.decode()
    settings.HARBOR_NOTIFY_EVERY_MINUTES = 0  # digests turned off: the page says so too
    assert "Notifications are turned off on this server" in logged_in("advocate").get(URL).content.decode()


def test_the_page_shows_what_the_mail_says_and_that_it_names_nothing(staff, logged_in):
    html = logged_in("advocate").get(URL).content.decode()
    assert "Harbor: something new for you" in html
    assert "2 new reports" in html and "1 new message from a reporter" in html
    assert "at most once every 15 minutes" in html
    assert "never which report, what happened, who sent it or when" in html


def test_the_owner_saves_their_choices_and_news_is_counted_from_then(staff, logged_in):
    response = _save(logged_in("advocate"), email="dana@staff.example.org", reports="on")
    assert response.status_code == 302 and response["Location"] == URL
    pref = NotificationPreference.objects.get(user=staff["advocate"])
    assert (pref.email, pref.language, pref.reports, pref.messages, pref.referrals) == (
        "dana@staff.example.org",
        "en",
        True,
        False,
        False,
    )
    assert list(pref.marks.values_list("kind", flat=True)) == ["reports"]
    html = logged_in("advocate").get(URL).content.decode()
    assert "Your notification choices are saved." in html
    assert 'value="dana@staff.example.org"' in html
    event = Event.objects.get(action="notifications.changed")
    assert (event.actor, event.object_id) == ("advocate", "advocate")  # who, never the address or the choice

    _save(logged_in("advocate"), email="dana@staff.example.org")  # everything unticked: off again
    pref.refresh_from_db()
    assert not (pref.reports or pref.messages or pref.referrals)
    assert not NotificationMark.objects.exists()


def test_a_colleague_sees_and_changes_only_their_own(staff, logged_in):
    _save(logged_in("advocate"), email="dana@staff.example.org", reports="on", messages="on")
    colleague = logged_in("colleague")
    html = colleague.get(URL).content.decode()
    assert "dana@staff.example.org" not in html
    assert colleague.get(f"{URL}?user={staff['advocate'].pk}").content.decode().count("dana@") == 0
    response = _save(colleague, email="sam@staff.example.org", messages="on", user=str(staff["advocate"].pk))
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=staff["advocate"]).email == "dana@staff.example.org"
    assert NotificationPreference.objects.get(user=staff["colleague"]).email == "sam@staff.example.org"
    # There is no address for anyone else's choices.
    assert colleague.get(f"{URL}{staff['advocate'].pk}/").status_code == 404


def test_a_recipient_is_offered_referrals_only(staff, logged_in):
    client = logged_in("recipient")
    html = client.get(URL).content.decode()
    assert 'name="referrals"' in html and 'name="reports"' not in html and 'name="messages"' not in html
    assert _save(client, email="rita@vsu.example.org", referrals="on", reports="on", messages="on").status_code == 302
    pref = NotificationPreference.objects.get(user=staff["recipient"])
    assert (pref.reports, pref.messages, pref.referrals) == (False, False, True)  # not what the role cannot see


def test_a_recipient_without_an_organisation_is_told_why_nothing_is_offered(staff):
    loose = make_staff("loose", ["recipient"])
    client = CsrfClient()
    staff_login(client, loose)
    html = client.get(URL).content.decode()
    assert "not linked to an organisation" in html
    assert 'name="referrals"' not in html


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reports": "on"}, "Enter the address to write to"),
        ({"email": "not an address", "reports": "on"}, "Enter a valid email address"),
        ({"email": "x@example.org", "language": "fr"}, "Select a valid choice"),
    ],
)
def test_it_refuses_a_bad_form_kindly_and_keeps_what_was_typed(staff, logged_in, data, error):
    response = logged_in("advocate").submit(URL, {"language": "en", **data})
    html = response.content.decode()
    assert response.status_code == 400
    assert error in html
    if data.get("email"):
        assert f'value="{data["email"]}"' in html
    if data.get("reports"):
        assert 'name="reports" class="checkboxinput form-check-input" id="id_reports" checked' in html
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("name", ["admin", "auditor", "outsider"])
def test_a_role_without_news_is_refused(staff, logged_in, name):
    client = logged_in(name)
    assert client.get(URL).status_code == 403
    assert _save(client, email="x@example.org", reports="on").status_code == 403
    assert not NotificationPreference.objects.exists()


def test_someone_not_logged_in_is_sent_to_log_in(staff):
    client = CsrfClient()
    for response in (client.get(URL), client.submit(URL, {"email": "x@example.org", "reports": "on"})):
        assert response.status_code == 302 and response["Location"] == f"/staff/login/?next={URL}"
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_refused(staff, logged_in, method):
    client = logged_in("advocate")
    response = getattr(client, method)(URL, headers={"X-CSRFToken": client.token(URL)})
    assert response.status_code == 405


def test_a_post_without_the_csrf_token_changes_nothing(staff, logged_in):
    client = logged_in("advocate")
    response = client.post(URL, {"email": "evil@example.org", "language": "en", "reports": "on"})
    assert response.status_code == 403
    assert not NotificationPreference.objects.exists()


def test_the_navigation_links_it_once_for_those_who_have_news(staff, logged_in):
    both = make_staff("both", ["advocate", "recipient"], organisation=staff["organisation"])
    client = CsrfClient()
    staff_login(client, both)
    assert client.get("/staff/password/").content.decode().count(f'href="{URL}"') == 1
    assert f'href="{URL}"' not in logged_in("admin").get("/staff/password/").content.decode()
