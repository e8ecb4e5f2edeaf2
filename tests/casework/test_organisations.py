"""Recipient organisations: added, edited and retired by administrators.

A retired organisation is offered no more referrals, its people cannot log in (their open
sessions end too) and their copies of the referral keys are gone; the referrals it already
received stay readable to advocates.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from audit.models import Event
from casework import invitations
from casework.models import Invitation, Organisation
from intake.models import Report
from referrals.models import Referral, ReferralWrap
from tests.casework.admin_helpers import SECRET_STORY
from tests.casework.conftest import PASSWORD
from tests.conftest import FULL_REPORT, CsrfClient, submit_report

pytestmark = pytest.mark.django_db

JURISDICTION_NAME = "City and County of San Francisco, California, United States"


def _events(action: str) -> list[tuple[str, str]]:
    return list(Event.objects.filter(action=action).values_list("actor", "object_id"))


def test_an_administrator_adds_and_edits_an_organisation(staff, logged_in):
    admin = logged_in("admin")
    form = admin.get("/staff/accounts/organisations/new/").content.decode()
    assert JURISDICTION_NAME in form and "HARBOR_JURISDICTION" in form
    assert 'value="peer_alert"' not in form  # an alert goes to no organisation
    for kind in ("victim_services", "health_org", "police_via_advocate"):
        assert f'value="{kind}"' in form

    response = admin.submit(
        "/staff/accounts/organisations/new/",
        {"name": "  Bay   Clinic ", "kind": "health_org", "contact": " Walk-in Tuesdays,\n 555-0150 "},
    )
    assert response.status_code == 302
    clinic = Organisation.objects.get(name="Bay Clinic")
    assert (clinic.kind, clinic.contact) == ("health_org", "Walk-in Tuesdays, 555-0150")
    assert response["Location"] == f"/staff/accounts/organisations/{clinic.pk}/"
    assert _events("organisation.created") == [("admin", str(clinic.pk))]

    page = admin.get(f"/staff/accounts/organisations/{clinic.pk}/").content.decode()
    assert f"/staff/accounts/invite/?organisation={clinic.pk}" in page
    edited = {"name": "Bay Community Clinic", "kind": "victim_services", "contact": "Ask for Ana, 555-0151"}
    assert admin.submit(f"/staff/accounts/organisations/{clinic.pk}/", edited).status_code == 302
    clinic.refresh_from_db()
    assert (clinic.name, clinic.kind, clinic.contact) == tuple(edited.values())
    assert _events("organisation.updated") == [("admin", str(clinic.pk))]

    listing = admin.get("/staff/accounts/organisations/").content.decode()
    assert "Bay Community Clinic" in listing and "Ask for Ana, 555-0151" in listing
    assert JURISDICTION_NAME in listing
    assert JURISDICTION_NAME in admin.get("/staff/accounts/").content.decode()


def test_it_refuses_a_second_organisation_of_a_name_a_peer_alert_kind_and_no_name(staff, logged_in):
    admin = logged_in("admin")
    for data in (
        {"name": "victim services UNIT", "kind": "victim_services"},
        {"name": "Peers", "kind": "peer_alert"},
        {"name": "Nowhere", "kind": "record_only"},
        {"name": "   ", "kind": "health_org"},
        {"name": "x" * 201, "kind": "health_org"},
        {"name": "Long contact", "kind": "health_org", "contact": "5" * 301},
    ):
        response = admin.submit("/staff/accounts/organisations/new/", data)
        assert response.status_code == 400, data
        if data["name"].strip():
            assert data["name"][:50] in response.content.decode()  # what was typed stays
    assert Organisation.objects.count() == 1
    # Renaming onto another organisation's name is refused the same way.
    Organisation.objects.create(name="Bay Clinic", kind="health_org")
    org = staff["organisation"]
    response = admin.submit(f"/staff/accounts/organisations/{org.pk}/", {"name": "bay clinic", "kind": "health_org"})
    assert response.status_code == 400
    org.refresh_from_db()
    assert org.name == "Victim Services Unit"


def test_advocates_see_the_contact_line_when_they_choose_where_to_refer(staff, logged_in):
    org = staff["organisation"]
    org.contact = "Intake line 555-0100, ask for the duty advocate"
    org.save()
    submit_report(CsrfClient())
    report = Report.objects.get()
    page = logged_in("advocate").get(f"/staff/reports/{report.id}/refer/").content.decode()
    assert "Intake line 555-0100, ask for the duty advocate" in page


def _send(logged_in, staff) -> Referral:
    submit_report(CsrfClient(), dict(FULL_REPORT, narrative=SECRET_STORY))
    report = Report.objects.get()
    url = f"/staff/reports/{report.id}/refer/{staff['organisation'].pk}/"
    assert logged_in("advocate").submit(url, {"action": "send", "include_narrative": "1"}).status_code == 302
    return Referral.objects.get()


def test_retiring_keeps_past_referrals_for_advocates_and_offers_the_organisation_no_more(staff, logged_in):
    org = staff["organisation"]
    referral = _send(logged_in, staff)
    recipient_session = logged_in("recipient")
    assert SECRET_STORY in recipient_session.get(f"/staff/inbox/{referral.id}/").content.decode()
    waiting = invitations.invite("admin", "vsu2", ["recipient"], org)

    admin = logged_in("admin")
    page = admin.get(f"/staff/accounts/organisations/{org.pk}/retire/").content.decode()
    assert "<strong>recipient</strong>" in page  # who will be deactivated
    assert admin.submit(f"/staff/accounts/organisations/{org.pk}/retire/", {}).status_code == 400  # not confirmed
    assert Organisation.objects.get(pk=org.pk).retired_at is None
    response = admin.submit(f"/staff/accounts/organisations/{org.pk}/retire/", {"confirm": "on"})
    assert response.status_code == 302
    assert "was retired" in admin.get("/staff/accounts/organisations/").content.decode()

    org.refresh_from_db()
    assert org.retired
    recipient = get_user_model().objects.get(username="recipient")
    assert not recipient.is_active
    assert not ReferralWrap.objects.filter(staff_key__user=recipient).exists()
    assert Invitation.objects.get(pk=waiting.invitation.pk).state() == Invitation.State.REVOKED
    assert _events("organisation.retired") == [("admin", str(org.pk))]
    assert _events("account.deactivated") == [("admin", "recipient")]
    assert _events("invitation.revoked") == [("admin", "vsu2")]

    # Its people: the open session has ended, and the password no longer logs in.
    assert recipient_session.get("/staff/inbox/")["Location"].startswith("/staff/login/")
    refused = CsrfClient().submit("/staff/login/", {"username": "recipient", "password": PASSWORD})
    assert refused.status_code == 400
    assert CsrfClient().get(f"/staff/invitation/{waiting.token}/").status_code == 410

    # The advocates: the referral it received still reads; it is not offered again.
    advocate = logged_in("advocate")
    assert SECRET_STORY in advocate.get(f"/staff/referrals/{referral.id}/").content.decode()
    choose = advocate.get(f"/staff/reports/{referral.report_id}/refer/").content.decode()
    assert f"/refer/{org.pk}/" not in choose
    crafted = advocate.submit(f"/staff/reports/{referral.report_id}/refer/{org.pk}/", {"action": "send"})
    assert crafted.status_code == 403
    assert "retired" in crafted.content.decode()
    assert Referral.objects.count() == 1


def test_a_retired_organisation_stays_retired_and_its_people_inactive(staff, logged_in):
    org = staff["organisation"]
    admin = logged_in("admin")
    admin.submit(f"/staff/accounts/organisations/{org.pk}/retire/", {"confirm": "on"})
    again = admin.submit(f"/staff/accounts/organisations/{org.pk}/retire/", {"confirm": "on"})
    assert again.status_code == 400 and "It was retired on" in again.content.decode()
    assert len(_events("organisation.retired")) == 1

    edit = admin.get(f"/staff/accounts/organisations/{org.pk}/").content.decode()
    assert "Retired on" in edit and "<form" not in edit.split("<main")[1].split("Its people")[0]
    changed = admin.submit(f"/staff/accounts/organisations/{org.pk}/", {"name": "Back Again", "kind": "health_org"})
    assert changed.status_code == 400
    assert Organisation.objects.get(pk=org.pk).name == "Victim Services Unit"

    recipient = staff["recipient"]
    reactivate = {"roles": ["recipient"], "organisation": org.pk, "is_active": "on"}
    refused = admin.submit(f"/staff/accounts/{recipient.pk}/", reactivate)
    assert refused.status_code == 400
    assert "stay inactive" in refused.content.decode()
    assert not get_user_model().objects.get(pk=recipient.pk).is_active
    # Nobody else joins it either.
    auditor = staff["auditor"]
    moved = admin.submit(f"/staff/accounts/{auditor.pk}/", {"roles": ["recipient"], "organisation": org.pk})
    assert moved.status_code == 400

    # Its name is free for a new organisation.
    new = admin.submit("/staff/accounts/organisations/new/", {"name": "Victim Services Unit", "kind": "health_org"})
    assert new.status_code == 302
    assert Organisation.objects.filter(name="Victim Services Unit").count() == 2
