"""Who may open what: every staff URL, every role, GET and POST, real and nonexistent ids.

The tables are the specification. The URL names come from the resolver, so a new URL in
casework.urls or referrals.urls without a row here fails (test_every_url_has_a_row and its own
parametrized case).

Columns: ``anonymous`` (no session), ``halfway`` (an account holding every role whose owner gave
the password but not the second factor: the password alone must open nothing), then one
account per role from the ``staff`` fixture; ``outsider`` has an account but no role.
The administrator here also holds the organisation key, so a 403 in the admin column can only
mean the role was refused, never "ask a key holder".

Statuses: 200 shown, 302 done (or, for anonymous and halfway, sent to the login page),
400 let in but the form refused (only the empty login and code forms), 403 wrong role,
404 no such object, 405 wrong method, 410 an invitation link already used. POST bodies (see
POST_DATA) are valid and act on a throw-away account or object, so a 200/302 means the action
went through. An invitation link (casework:accept) makes an account for someone not logged in:
every account gets 403, and the first POST that accepts it (anonymous) uses it up, so the
half-logged-in column after it sees 410 (tests/casework/test_invitations.py accepts one there).
"""

from __future__ import annotations

from functools import cached_property

import pytest
from django.urls import URLResolver, get_resolver, reverse

from casework import invitations
from casework.models import Organisation
from intake.models import Attachment, Report
from referrals.models import AlertSubscriber, Referral
from resources.models import Resource
from tests.casework.conftest import PASSWORD, make_staff
from tests.conftest import FULL_REPORT, CsrfClient, submit_report
from tests.intake.conftest import jpeg_bytes, upload
from tests.referrals.support import write_alert
from vault.custody import grant
from vault.models import OrgKey

pytestmark = pytest.mark.django_db

NAMESPACES = ("casework", "referrals", "resources")
ROLES = ("anonymous", "halfway", "advocate", "colleague", "admin", "auditor", "recipient", "outsider")
NEW_PASSWORD = "another long passphrase 2027"


def row(*statuses: int) -> dict[str, int]:
    """One line of a table: the statuses in the order of ROLES."""
    return dict(zip(ROLES, statuses, strict=True))


# fmt: off
#                                            anon  half  adv  coll admin  aud  recip  out
GET = {
    "casework:home":                     row(302,  302,  302, 302,  302,  302,  302,  200),
    "casework:login":                    row(200,  200,  200, 200,  200,  200,  200,  200),
    "casework:otp":                      row(302,  200,  302, 302,  302,  302,  302,  302),
    "casework:enrol":                    row(302,  302,  302, 302,  302,  302,  302,  302),
    "casework:logout":                   row(405,  405,  405, 405,  405,  405,  405,  405),
    "casework:accept":                   row(200,  410,  403, 403,  403,  403,  403,  403),
    "casework:password":                 row(302,  302,  200, 200,  200,  200,  200,  200),
    "casework:queue":                    row(302,  302,  200, 200,  403,  403,  403,  403),
    "casework:report":                   row(302,  302,  200, 200,  403,  403,  403,  403),
    "casework:reply":                    row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:note":                     row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:status":                   row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:assign":                   row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:photo":                    row(302,  302,  200, 200,  403,  403,  403,  403),
    "casework:stats":                    row(302,  302,  200, 200,  200,  200,  403,  403),
    "casework:stats_csv":                row(302,  302,  200, 200,  200,  200,  403,  403),
    "casework:audit":                    row(302,  302,  403, 403,  403,  200,  403,  403),
    "casework:users":                    row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:invite":                   row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:invitations":              row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:invitation_revoke":        row(302,  302,  403, 403,  405,  403,  403,  403),
    "casework:organisations":            row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:organisation_new":         row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:organisation":             row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:organisation_retire":      row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:user_edit":                row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:user_reset":               row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:grants":                   row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:grant":                    row(302,  302,  403, 403,  405,  403,  403,  403),
    "casework:rotate":                   row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:rewrap":                   row(302,  302,  403, 403,  405,  403,  403,  403),
    "casework:retention":                row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:notifications":            row(302,  302,  200, 200,  403,  403,  200,  403),
    "referrals:choose":                  row(302,  302,  200, 200,  403,  403,  403,  403),
    "referrals:build":                   row(302,  302,  200, 200,  403,  403,  403,  403),
    "referrals:detail":                  row(302,  302,  200, 200,  403,  403,  403,  403),
    "referrals:alerts":                  row(302,  302,  200, 200,  403,  403,  403,  403),
    "referrals:alert_review":            row(302,  302,  200, 200,  403,  403,  403,  403),
    "referrals:alert_bulletin":          row(302,  302,  200, 200,  403,  403,  403,  403),
    "referrals:subscribers":             row(302,  302,  403, 403,  200,  403,  403,  403),
    "referrals:subscriber_revoke":       row(302,  302,  403, 403,  405,  403,  403,  403),
    "referrals:inbox":                   row(302,  302,  403, 403,  403,  403,  200,  403),
    "referrals:received":                row(302,  302,  403, 403,  403,  403,  200,  403),
    "referrals:received_print":          row(302,  302,  403, 403,  403,  403,  200,  403),
    "referrals:received_pdf":            row(302,  302,  403, 403,  403,  403,  200,  403),
    "referrals:received_json":           row(302,  302,  403, 403,  403,  403,  200,  403),
    "resources:list":                    row(302,  302,  403, 403,  200,  403,  403,  403),
    "resources:new":                     row(302,  302,  403, 403,  200,  403,  403,  403),
    "resources:edit":                    row(302,  302,  403, 403,  200,  403,  403,  403),
    "resources:delete":                  row(302,  302,  403, 403,  405,  403,  403,  403),
}

#                                            anon  half  adv  coll admin  aud  recip  out
POST = {
    "casework:home":                     row(302,  302,  405, 405,  405,  405,  405,  405),
    "casework:login":                    row(400,  400,  400, 400,  400,  400,  400,  400),
    "casework:otp":                      row(302,  400,  302, 302,  302,  302,  302,  302),
    "casework:enrol":                    row(302,  302,  302, 302,  302,  302,  302,  302),
    "casework:logout":                   row(302,  302,  302, 302,  302,  302,  302,  302),
    "casework:accept":                   row(302,  410,  403, 403,  403,  403,  403,  403),
    "casework:password":                 row(302,  302,  200, 200,  200,  200,  200,  200),
    "casework:queue":                    row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:report":                   row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:reply":                    row(302,  302,  302, 302,  403,  403,  403,  403),
    "casework:note":                     row(302,  302,  302, 302,  403,  403,  403,  403),
    "casework:status":                   row(302,  302,  302, 302,  403,  403,  403,  403),
    "casework:assign":                   row(302,  302,  302, 302,  403,  403,  403,  403),
    "casework:photo":                    row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:stats":                    row(302,  302,  405, 405,  405,  405,  403,  403),
    "casework:stats_csv":                row(302,  302,  405, 405,  405,  405,  403,  403),
    "casework:audit":                    row(302,  302,  403, 403,  403,  405,  403,  403),
    "casework:users":                    row(302,  302,  403, 403,  405,  403,  403,  403),
    "casework:invite":                   row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:invitations":              row(302,  302,  403, 403,  405,  403,  403,  403),
    "casework:invitation_revoke":        row(302,  302,  403, 403,  302,  403,  403,  403),
    "casework:organisations":            row(302,  302,  403, 403,  405,  403,  403,  403),
    "casework:organisation_new":         row(302,  302,  403, 403,  302,  403,  403,  403),
    "casework:organisation":             row(302,  302,  403, 403,  302,  403,  403,  403),
    "casework:organisation_retire":      row(302,  302,  403, 403,  302,  403,  403,  403),
    "casework:user_edit":                row(302,  302,  403, 403,  302,  403,  403,  403),
    "casework:user_reset":               row(302,  302,  403, 403,  200,  403,  403,  403),
    "casework:grants":                   row(302,  302,  403, 403,  405,  403,  403,  403),
    "casework:grant":                    row(302,  302,  403, 403,  302,  403,  403,  403),
    "casework:rotate":                   row(302,  302,  403, 403,  302,  403,  403,  403),
    "casework:rewrap":                   row(302,  302,  403, 403,  302,  403,  403,  403),
    "casework:retention":                row(302,  302,  403, 403,  302,  403,  403,  403),
    "casework:notifications":            row(302,  302,  302, 302,  403,  403,  302,  403),
    "referrals:choose":                  row(302,  302,  405, 405,  403,  403,  403,  403),
    "referrals:build":                   row(302,  302,  200, 200,  403,  403,  403,  403),
    "referrals:detail":                  row(302,  302,  302, 302,  403,  403,  403,  403),
    "referrals:alerts":                  row(302,  302,  405, 405,  403,  403,  403,  403),
    "referrals:alert_review":            row(302,  302,  403, 302,  403,  403,  403,  403),
    "referrals:alert_bulletin":          row(302,  302,  405, 405,  403,  403,  403,  403),
    "referrals:subscribers":             row(302,  302,  403, 403,  200,  403,  403,  403),
    "referrals:subscriber_revoke":       row(302,  302,  403, 403,  302,  403,  403,  403),
    "referrals:inbox":                   row(302,  302,  403, 403,  403,  403,  405,  403),
    "referrals:received":                row(302,  302,  403, 403,  403,  403,  302,  403),
    "referrals:received_print":          row(302,  302,  403, 403,  403,  403,  405,  403),
    "referrals:received_pdf":            row(302,  302,  403, 403,  403,  403,  405,  403),
    "referrals:received_json":           row(302,  302,  403, 403,  403,  403,  405,  403),
    "resources:list":                    row(302,  302,  403, 403,  405,  403,  403,  403),
    "resources:new":                     row(302,  302,  403, 403,  302,  403,  403,  403),
    "resources:edit":                    row(302,  302,  403, 403,  302,  403,  403,  403),
    "resources:delete":                  row(302,  302,  403, 403,  302,  403,  403,  403),
}

# The URL's last parameter names nothing (its parents stay real: the photo's report, the
# referral's report): the roles let in get 404 (405 first where the method is wrong), the rest
# learn nothing more than from a real id.
#                                            anon  half  adv  coll admin  aud  recip  out
GET_MISSING = {
    "casework:accept":                   row(404,  404,  403, 403,  403,  403,  403,  403),
    "casework:invitation_revoke":        row(302,  302,  403, 403,  405,  403,  403,  403),
    "casework:organisation":             row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:organisation_retire":      row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:report":                   row(302,  302,  404, 404,  403,  403,  403,  403),
    "casework:reply":                    row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:note":                     row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:status":                   row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:assign":                   row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:photo":                    row(302,  302,  404, 404,  403,  403,  403,  403),
    "casework:user_edit":                row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:user_reset":               row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:grant":                    row(302,  302,  403, 403,  405,  403,  403,  403),
    "casework:rewrap":                   row(302,  302,  403, 403,  405,  403,  403,  403),
    "referrals:choose":                  row(302,  302,  404, 404,  403,  403,  403,  403),
    "referrals:build":                   row(302,  302,  404, 404,  403,  403,  403,  403),
    "referrals:detail":                  row(302,  302,  404, 404,  403,  403,  403,  403),
    "referrals:alert_review":            row(302,  302,  404, 404,  403,  403,  403,  403),
    "referrals:subscriber_revoke":       row(302,  302,  403, 403,  405,  403,  403,  403),
    "referrals:received":                row(302,  302,  403, 403,  403,  403,  404,  403),
    "referrals:received_print":          row(302,  302,  403, 403,  403,  403,  404,  403),
    "referrals:received_pdf":            row(302,  302,  403, 403,  403,  403,  404,  403),
    "referrals:received_json":           row(302,  302,  403, 403,  403,  403,  404,  403),
    "resources:edit":                    row(302,  302,  403, 403,  404,  403,  403,  403),
    "resources:delete":                  row(302,  302,  403, 403,  405,  403,  403,  403),
}

#                                            anon  half  adv  coll admin  aud  recip  out
POST_MISSING = {
    "casework:accept":                   row(404,  404,  403, 403,  403,  403,  403,  403),
    "casework:invitation_revoke":        row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:organisation":             row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:organisation_retire":      row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:report":                   row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:reply":                    row(302,  302,  404, 404,  403,  403,  403,  403),
    "casework:note":                     row(302,  302,  404, 404,  403,  403,  403,  403),
    "casework:status":                   row(302,  302,  404, 404,  403,  403,  403,  403),
    "casework:assign":                   row(302,  302,  404, 404,  403,  403,  403,  403),
    "casework:photo":                    row(302,  302,  405, 405,  403,  403,  403,  403),
    "casework:user_edit":                row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:user_reset":               row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:grant":                    row(302,  302,  403, 403,  404,  403,  403,  403),
    "casework:rewrap":                   row(302,  302,  403, 403,  404,  403,  403,  403),
    "referrals:choose":                  row(302,  302,  405, 405,  403,  403,  403,  403),
    "referrals:build":                   row(302,  302,  404, 404,  403,  403,  403,  403),
    "referrals:detail":                  row(302,  302,  404, 404,  403,  403,  403,  403),
    "referrals:alert_review":            row(302,  302,  404, 404,  403,  403,  403,  403),
    "referrals:subscriber_revoke":       row(302,  302,  403, 403,  404,  403,  403,  403),
    "referrals:received":                row(302,  302,  403, 403,  403,  403,  404,  403),
    "referrals:received_print":          row(302,  302,  403, 403,  403,  403,  405,  403),
    "referrals:received_pdf":            row(302,  302,  403, 403,  403,  403,  405,  403),
    "referrals:received_json":           row(302,  302,  403, 403,  403,  403,  405,  403),
    "resources:edit":                    row(302,  302,  403, 403,  404,  403,  403,  403),
    "resources:delete":                  row(302,  302,  403, 403,  404,  403,  403,  403),
}
# fmt: on

RESOURCE = {"name": "Hotline", "helps_with_en": "Help", "helps_with_es": "Ayuda", "phone": "988", "position": "0"}

# What each POST sends: valid, and aimed at throw-away objects (the "target" account, a fresh
# username), so a 200/302 above means the action was carried out.
POST_DATA = {
    "casework:login": {},  # empty: refused by the form for everyone, anonymous included
    "casework:otp": {},
    "casework:enrol": {"token": "123456"},
    "casework:password": {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    "casework:reply": {"text": "We can meet you Tuesday.", "then": "waiting"},
    "casework:note": {"text": "Called back, no answer."},
    "casework:status": {"status": "in_review"},
    "casework:assign": {"assignee": ""},
    "casework:accept": {"new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    "casework:invite": {"username": "newcomer", "roles": ["advocate"]},
    "casework:organisation_new": {"name": "Bay Clinic", "kind": "health_org"},
    "casework:organisation": {"name": "Throwaway Clinic", "kind": "health_org", "contact": "555-0199"},
    "casework:organisation_retire": {"confirm": "on"},
    "casework:user_edit": {"roles": ["advocate"], "is_active": "on"},
    "casework:user_reset": {"confirm": "on"},
    "casework:rotate": {"confirm": "on"},
    "casework:retention": {"closed": "365"},
    "casework:notifications": {"email": "me@example.org", "language": "en", "reports": "on"},
    "referrals:build": {"action": "preview"},
    "referrals:detail": {"text": "Did she get in touch?"},
    "referrals:received": {"action": "status", "status": "contacted"},
    "referrals:alert_review": {"action": "publish"},
    "referrals:subscribers": {"name": "outreach van", "lang": "en"},
    "resources:new": {**RESOURCE, "name": "Another hotline"},
    "resources:edit": RESOURCE,
}

# The login steps, whose redirects go back and forth between themselves (an accepted invitation
# goes on to the enrol step).
AUTH_VIEWS = {"casework:login", "casework:otp", "casework:enrol", "casework:logout", "casework:accept"}

# Values that name nothing, in the shape of real ones.
NOWHERE = {
    "report_id": "0" * 32,
    "item": "0" * 16,
    "user_id": 999_999,
    "key_id": "0" * 16,
    "referral_id": "0" * 32,
    "target": "999999",
    "invitation_id": 999_999,
    "org_id": 999_999,
    "token": "A" * 43,  # well formed, and no invitation's
    "alert_id": "0" * 32,
    "subscriber_id": 999_999,
    "resource_id": 999_999,
}


def _staff_patterns() -> dict[str, list[str]]:
    """Every URL name of the staff namespaces → its parameter names, in order, from the resolver."""
    found: dict[str, list[str]] = {}
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in NAMESPACES:
            for pattern in entry.url_patterns:
                found[f"{entry.namespace}:{pattern.name}"] = list(pattern.pattern.converters)
    return found


PATTERNS = _staff_patterns()
WITH_PARAMETERS = sorted(name for name, params in PATTERNS.items() if params)


class World:
    """The objects URLs point at, made on first use; and one client per column."""

    def __init__(self, staff, logged_in):
        self.staff = staff
        self.logged_in = logged_in
        # A key-holding administrator (see the module docstring), a throw-away account for the
        # administrator's actions, and "halfway", who holds every role but has only given the password.
        grant(staff["org_key"], staff["org_private"], staff["admin"].vault_key)
        self.target = make_staff("target", ["advocate"])
        make_staff("halfway", ["advocate", "admin", "auditor", "recipient"], organisation=staff["organisation"])

    def clients(self) -> dict[str, CsrfClient]:
        halfway = CsrfClient()
        response = halfway.submit("/staff/login/", {"username": "halfway", "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/staff/login/code/"
        clients = {"anonymous": CsrfClient(), "halfway": halfway}
        clients.update({name: self.logged_in(name) for name in ROLES[2:]})
        return clients

    @cached_property
    def report(self) -> Report:
        submit_report(CsrfClient(), files={"photos": upload("IMG_0001.jpg", jpeg_bytes())})
        return Report.objects.get()

    @cached_property
    def referral(self) -> Referral:
        org = self.staff["organisation"]
        response = self.logged_in("advocate").submit(
            f"/staff/reports/{self.report.id}/refer/{org.pk}/", {"action": "send"}
        )
        assert response.status_code == 302, response.content.decode()[:500]
        return Referral.objects.get()

    @cached_property
    def old_key(self) -> OrgKey:
        """An organisation key rotated out and not yet retired: what a re-wrap works on."""
        response = self.logged_in("admin").submit("/staff/accounts/rotate/", {"confirm": "on"})
        assert response.status_code == 302
        return OrgKey.objects.get(active=False, retired_at__isnull=True)

    @cached_property
    def invitation(self) -> invitations.Issued:
        """A waiting invitation: the first POST that accepts it (anonymous) uses it up, so later columns see 410."""
        return invitations.invite("admin", "invitee", ["advocate"])

    @cached_property
    def organisation(self) -> Organisation:
        """A throw-away organisation with no members, to edit and retire."""
        return Organisation.objects.create(name="Throwaway Clinic", kind="health_org")

    @cached_property
    def alert(self) -> Referral:
        """A safety alert the advocate wrote, waiting for a second advocate."""
        submit_report(CsrfClient(), dict(FULL_REPORT, consent=["peer_alert"]))
        return write_alert(self.logged_in("advocate"), Report.objects.get(), perp_vehicle="1")

    def real(self, param: str):
        return {
            "invitation_id": lambda: self.invitation.invitation.pk,
            "org_id": lambda: self.organisation.pk,
            "token": lambda: self.invitation.token,
            "report_id": lambda: self.report.id,
            "item": lambda: Attachment.objects.get(report=self.report).item,
            "user_id": lambda: self.target.pk,
            "key_id": lambda: self.old_key.key_id,
            "referral_id": lambda: self.referral.id,
            "target": lambda: str(self.staff["organisation"].pk),
            "alert_id": lambda: self.alert.id,
            "subscriber_id": lambda: AlertSubscriber.objects.get_or_create(name="van", token_digest="0" * 64)[0].pk,
            "resource_id": lambda: Resource.objects.get_or_create(**RESOURCE)[0].pk,
        }[param]()

    def url(self, name: str, *, missing: bool = False) -> str:
        params = PATTERNS[name]
        kwargs = {param: self.real(param) for param in (params[:-1] if missing else params)}
        if missing:
            kwargs[params[-1]] = NOWHERE[params[-1]]
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def world(staff, logged_in) -> World:
    return World(staff, logged_in)


def _statuses(world: World, name: str, *, missing: bool = False) -> tuple[dict[str, int], dict[str, int]]:
    """Request the URL as every column, GET then POST; return the statuses seen.

    A 302 means "sent to log in" for anonymous and halfway, and never does for the others
    (a locked key ring also answers 302 to the login page; that must not pass for "done").
    """
    url = world.url(name, missing=missing)
    got, posted = {}, {}
    for role, client in world.clients().items():
        for seen, response in ((got, client.get(url)), (posted, client.submit(url, POST_DATA.get(name, {})))):
            seen[role] = response.status_code
            if response.status_code == 302 and name not in AUTH_VIEWS:
                to_login = response["Location"] == f"/staff/login/?next={url}"
                assert to_login == (role in ("anonymous", "halfway")), f"{role}: {response['Location']}"
    return got, posted


def test_every_url_has_a_row():
    assert sorted(GET) == sorted(PATTERNS), "add the new URL to GET (and to the other tables)"
    assert sorted(POST) == sorted(PATTERNS)
    assert sorted(GET_MISSING) == sorted(POST_MISSING) == WITH_PARAMETERS
    assert set(POST_DATA) <= set(PATTERNS)
    assert set(NOWHERE) >= {param for params in PATTERNS.values() for param in params}


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_who_may_open_it(world, name):
    assert name in GET and name in POST, f"{name} has no row in the authorization tables"
    got, posted = _statuses(world, name)
    assert {"GET": got, "POST": posted} == {"GET": GET[name], "POST": POST[name]}


@pytest.mark.parametrize("name", WITH_PARAMETERS)
def test_a_nonexistent_id_is_404_only_for_those_let_in(world, name):
    assert name in GET_MISSING and name in POST_MISSING, f"{name} has no row in the *_MISSING tables"
    got, posted = _statuses(world, name, missing=True)
    assert {"GET": got, "POST": posted} == {"GET": GET_MISSING[name], "POST": POST_MISSING[name]}
