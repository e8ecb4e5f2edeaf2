"""Forged, replayed and expired tokens are refused with a kind page, never a 5xx.

Each test here sends a tampered token through the real view and then, as a control, the genuine
one, so a refusal cannot come from a broken fixture. Covered here:

- the confirmation page's sealed draft on Send and on Edit: a byte changed in the header, the
  nonce, the ciphertext or the tag; sealed under another key; cut short; expired; dated in the
  future; not ASCII; empty; a check token in its place; sent again from another browser;
- the sealed photos carried by a form shown again (forged: no photo added, nothing stored);
- the form's signed ``started`` token: expired, its signature or its value altered;
- receipts on /check/: only the check symbol wrong; full-width digits still open the report;
- /check/ tokens: a byte changed, another key, cut short, dated in the future, not ASCII, on
  every action (message, consent, withdraw);
- the staff unlock cookie (``harbor_unlock``): tampered, cut, another staff member's, the same
  person's other session, one kept from before a logout;
- a TOTP code used twice, a recovery code used twice or by another account;
- the one-time password an administrator hands out, once its owner has set their own.

Tested elsewhere, not repeated: the vault primitives byte by byte, zip bombs and malformed
base64 (tests/vault/test_tokens.py); a replayed confirmation from the same browser, a forged
draft's tail, a photos token as a draft (tests/intake/test_submit.py); a forged, empty,
other-salt, other-key and future ``started`` token, and a forged draft on Edit
(tests/intake/test_form.py); random well-formed, mistyped and withdrawn receipts, spacing and
case variants, and expired, forged, other-purpose, empty and erased-report check tokens
(tests/intake/test_check.py); the old password and the open session after an account reset
(tests/casework/test_admin.py); a junk unlock cookie and a missing one on every URL
(tests/test_fuzz_endpoints.py); invitation links used twice, expired, withdrawn, forged, cut
short, planted in the database or opened by someone logged in (tests/casework/test_invitations.py).
Harbor sends no password-reset or re-grant links: an administrator resets an account in person
(a one-time password, tested below) and a key holder grants the key by a POST that
tests/casework/test_authorization_matrix.py covers.
"""

from __future__ import annotations

import base64
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import override_settings

from audit.models import Event
from casework import otp
from casework.models import Authenticator, RecoveryCode, RecoveryCodes, StaffProfile
from intake import services
from intake.models import Attachment, Message, Report, SpentDraft
from intake.services import open_with_receipt
from intake.views import STARTED_SALT
from tests.casework import conftest as casework_fixtures
from tests.casework.admin_helpers import (
    SECRET_STORY,
    change_password,
    first_login,
    new_report,
    one_time_password,
)
from tests.casework.conftest import PASSWORD, code_for, staff_login
from tests.conftest import FULL_REPORT, CsrfClient, fill_and_preview, hidden, receipt_in, start_form, submit_report
from tests.intake.conftest import field_error, form_values, jpeg_bytes, page_text
from vault import custody, receipts, tokens
from vault.exceptions import InvalidPassphraseError
from vault.session import COOKIE

pytestmark = pytest.mark.django_db

# The staff fixtures (one account per role, logged in through password and TOTP).
staff = casework_fixtures.staff
logged_in = casework_fixtures.logged_in

OTHER_SECRET = "not-harbors-secret-key-" + "x" * 40
OUT_OF_DATE = "This page is out of date"
TYPE_AGAIN = "Please type your receipt again."
TYPO = "That receipt isn't complete or has a typo."
KEYS_LOCKED = "Your keys were locked (time-out or a new browser). Please log in again."
CODE_REFUSED = "That code did not work."
NEW_PASSWORD = "a brand new passphrase 2027"


def _flip(token: str, where: float) -> str:
    """Return ``token`` with one bit changed in the byte at ``where`` (0 first, 0.5 middle, -1 last)."""
    raw = bytearray(base64.urlsafe_b64decode(token))
    position = len(raw) - 1 if where == -1 else int(len(raw) * where)
    raw[position] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode()


def _forge(kind: str, token: str, purpose: str, max_age: int) -> str:
    """Return a forgery of ``token`` (sealed for ``purpose``) of the given kind."""
    payload, _sealed_at = tokens.unseal(settings.SECRET_KEY, purpose, token, max_age)
    now = time.time()
    return {
        "header byte": lambda: _flip(token, 0),
        "nonce byte": lambda: _flip(token, 5 / len(base64.urlsafe_b64decode(token))),
        "ciphertext byte": lambda: _flip(token, 0.5),
        "tag byte": lambda: _flip(token, -1),
        "another key": lambda: tokens.seal(OTHER_SECRET, purpose, payload),
        "cut in half": lambda: token[: len(token) // 2],
        "last character cut": lambda: token[:-1],
        "expired": lambda: tokens.seal(settings.SECRET_KEY, purpose, payload, now=now - max_age - 5),
        "dated in the future": lambda: tokens.seal(settings.SECRET_KEY, purpose, payload, now=now + 3600),
        "not ascii": lambda: "é" + token[1:],
        "empty": lambda: "",
    }[kind]()


FORGERIES = [
    "header byte",
    "nonce byte",
    "ciphertext byte",
    "tag byte",
    "another key",
    "cut in half",
    "last character cut",
    "expired",
    "dated in the future",
    "not ascii",
    "empty",
]


def _nothing_stored() -> None:
    assert Report.objects.count() == 0
    assert SpentDraft.objects.count() == 0


def _assert_out_of_date(response) -> None:
    """The kind page for a draft that will not open: it says so, shows nothing of the draft, keeps nothing."""
    assert response.status_code == 400
    text = page_text(response)
    assert OUT_OF_DATE in text
    assert "Nothing was saved." in text
    html = response.content.decode()
    assert 'name="draft"' not in html
    assert FULL_REPORT["perp_description"] not in html
    assert 'href="/report/"' in html  # "Start again"


# --- the sealed draft of the confirmation page ---------------------------------------------------


@pytest.mark.parametrize("action", ["send", "edit"])
@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_draft_gets_the_out_of_date_page_and_the_genuine_one_still_works(client, org_keys, kind, action):
    draft = hidden(fill_and_preview(client), "draft")
    forged = _forge(kind, draft, services.DRAFT, settings.HARBOR_DRAFT_MAX_AGE)
    assert forged != draft

    def post(token: str):
        if action == "send":
            return client.submit("/report/send/", {"draft": token})
        return client.submit("/report/", {"draft": token, "action": "edit"})

    _assert_out_of_date(post(forged))
    _nothing_stored()

    genuine = post(draft)
    assert genuine.status_code == 200
    if action == "send":
        receipt_in(genuine)
        assert Report.objects.count() == 1
    else:
        assert form_values(genuine)["perp_description"] == [FULL_REPORT["perp_description"]]
        _nothing_stored()


@pytest.mark.parametrize("action", ["send", "edit"])
def test_a_check_token_is_not_a_draft(client, org_keys, action):
    receipt, _ = submit_report(client)
    check_token = services.seal_check(open_with_receipt(receipt))
    response = client.submit(
        "/report/send/" if action == "send" else "/report/", {"draft": check_token, "action": action}
    )
    _assert_out_of_date(response)
    assert Report.objects.count() == 1


def test_a_draft_nearly_three_hours_old_still_sends(client, org_keys):
    """The control for "expired" above: the limit is the documented three hours, not less."""
    draft = hidden(fill_and_preview(client), "draft")
    payload, _ = tokens.unseal(settings.SECRET_KEY, services.DRAFT, draft, settings.HARBOR_DRAFT_MAX_AGE)
    old = tokens.seal(
        settings.SECRET_KEY, services.DRAFT, payload, now=time.time() - settings.HARBOR_DRAFT_MAX_AGE + 60
    )
    assert client.submit("/report/send/", {"draft": old}).status_code == 200
    assert Report.objects.count() == 1


def test_a_draft_stores_once_whichever_browser_sends_it(client, org_keys):
    """A draft is not bound to a browser: the anonymous surface keeps no session (test_canary.py),
    and the confirmation page that carries the token shows the whole report in plain words anyway.
    What must hold is that it is stored once, and the receipt shown once, whoever sends it again."""
    draft = hidden(fill_and_preview(client), "draft")
    other = CsrfClient()
    first = other.submit("/report/send/", {"draft": draft})
    assert first.status_code == 200
    receipt = receipt_in(first)

    for browser in (client, other, CsrfClient()):
        again = browser.submit("/report/send/", {"draft": draft})
        assert again.status_code == 409
        assert "This report was already sent" in page_text(again)
        html = again.content.decode()
        assert "receipt-group" not in html
        assert receipt not in html and receipt.replace("-", "") not in html
    assert Report.objects.count() == 1
    assert SpentDraft.objects.count() == 1


# --- the sealed photos a form carries when it comes back ---------------------------------------


@pytest.mark.parametrize("kind", ["ciphertext byte", "another key", "expired", "a draft token"])
def test_forged_carried_photos_carry_no_photo_and_store_nothing(client, org_keys, kind):
    genuine = services.seal_photos([jpeg_bytes()])
    if kind == "a draft token":
        forged = hidden(fill_and_preview(CsrfClient()), "draft")
    else:
        forged = _forge(kind, genuine, services.PHOTOS, settings.HARBOR_DRAFT_MAX_AGE)

    def preview(token: str):
        # As a browser sends the form back: the carried photo's "keep" box ticked.
        payload = start_form(client)
        payload.update(FULL_REPORT, carried_photos=token, keep_photos=["0"], action="preview")
        return client.post("/report/", payload)

    response = preview(forged)
    assert response.status_code == 400
    assert 'name="draft"' not in response.content.decode()
    values = form_values(response)
    assert values["perp_description"] == [FULL_REPORT["perp_description"]]
    assert values["carried_photos"] == [""]  # nothing is carried on from the forged token
    assert "could not be kept" in response.content.decode()  # and the person is told why
    assert "keep_photos" not in values
    _nothing_stored()

    # The control: the genuine token carries its photo into the report.
    response = preview(genuine)
    assert response.status_code == 200
    assert client.submit("/report/send/", {"draft": hidden(response, "draft")}).status_code == 200
    assert Attachment.objects.count() == 1


# --- the form's signed "started" token ----------------------------------------------------------


def _started_signed(seconds_ago: float, value: float) -> str:
    """A genuine ``started`` token whose signature was made ``seconds_ago`` (the signer's own clock)."""

    class Then(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time() - seconds_ago))

    return Then(salt=STARTED_SALT).sign_object(value)


STARTED_MAX_AGE = settings.HARBOR_DRAFT_MAX_AGE * 4


def _with_value(token: str, value: float) -> str:
    """The token with its value replaced, its timestamp and signature kept."""
    _old, stamp, signature = token.rsplit(":", 2)
    return f"{signing.b64_encode(signing.JSONSerializer().dumps(value)).decode()}:{stamp}:{signature}"


@override_settings(HARBOR_MIN_FORM_SECONDS=30)
@pytest.mark.parametrize(
    "forge",
    [
        lambda genuine: _started_signed(STARTED_MAX_AGE + 60, time.time() - 3600),
        lambda genuine: genuine[:-1] + ("A" if genuine[-1] != "A" else "B"),
        lambda genuine: _with_value(genuine, time.time() - 3600),
    ],
    ids=["expired", "signature-altered", "earlier-start-swapped-in"],
)
def test_a_forged_started_token_is_asked_again_kindly_and_the_fresh_one_works(client, org_keys, forge):
    payload = start_form(client)
    genuine = payload["started"]
    payload.update(FULL_REPORT, started=forge(genuine), action="preview")
    response = client.post("/report/", payload)
    assert response.status_code == 400
    assert "press Continue again" in page_text(response)
    assert 'name="draft"' not in response.content.decode()
    assert form_values(response)["perp_description"] == [FULL_REPORT["perp_description"]]
    _nothing_stored()

    # The page comes back with a genuine token that counts the minimum time as spent.
    fresh = form_values(response)["started"][0]
    assert time.time() - signing.loads(fresh, salt=STARTED_SALT) >= settings.HARBOR_MIN_FORM_SECONDS
    payload["started"] = fresh
    assert "Check before sending" in client.post("/report/", payload).content.decode()


def test_a_started_token_just_inside_its_age_is_accepted(client, org_keys):
    """The control for "expired" above."""
    payload = start_form(client)
    payload.update(FULL_REPORT, started=_started_signed(STARTED_MAX_AGE - 60, time.time() - 3600), action="preview")
    response = client.post("/report/", payload)
    assert response.status_code == 200
    assert "Check before sending" in response.content.decode()


# --- receipts on /check/ ----------------------------------------------------------------------------


def test_a_receipt_with_only_its_check_symbol_wrong_is_a_typo(client, org_keys):
    receipt = receipt_in(submit_report(client)[1]).replace("-", "")
    with override_settings(HARBOR_RATE_CHECK_FAIL=(3, 900)):
        for symbol in receipts.ALPHABET:
            if symbol == receipt[-1]:
                continue
            response = client.submit("/check/", {"receipt": receipt[:-1] + symbol})
            assert response.status_code == 400
            assert TYPO in field_error(response, "receipt")
        # A typo is not a guess: thirty-one of them did not use up the three failed tries.
        assert client.submit("/check/", {"receipt": receipt}).status_code == 200


def test_a_receipt_typed_in_full_width_characters_opens_the_report(client, org_keys):
    receipt = receipt_in(submit_report(client)[1])
    full_width = receipt.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert full_width != receipt
    response = client.submit("/check/", {"receipt": full_width})
    assert response.status_code == 200
    assert FULL_REPORT["perp_description"] in page_text(response)


# --- /check/ tokens, after the receipt step --------------------------------------------------------

CHECK_FORGERIES = [
    "header byte",
    "ciphertext byte",
    "tag byte",
    "another key",
    "cut in half",
    "last character cut",
    "dated in the future",
    "not ascii",
]


@pytest.mark.parametrize("kind", CHECK_FORGERIES)
def test_a_forged_check_token_changes_nothing_and_asks_for_the_receipt(client, org_keys, kind):
    receipt, _ = submit_report(client)
    genuine = hidden(client.submit("/check/", {"receipt": receipt}), "token")
    forged = _forge(kind, genuine, services.CHECK, settings.HARBOR_CHECK_MAX_AGE)

    for url, data in [
        ("/check/message/", {"text": "sent with a forged token", "kind": "message"}),
        ("/check/consent/", {"consent": ["health_org"], "consent_share_contact": "yes"}),
        ("/check/withdraw/", {"confirm": "on"}),
    ]:
        response = client.submit(url, {"token": forged, **data})
        assert response.status_code == 400, url
        assert TYPE_AGAIN in page_text(response)
        assert FULL_REPORT["perp_description"] not in response.content.decode()

    report = Report.objects.get()
    assert report.status == Report.Status.NEW
    assert Message.objects.count() == 0
    assert open_with_receipt(receipt).section("consent")["consent"] == FULL_REPORT["consent"]

    # The control: the genuine token of the same page still works.
    sent = client.submit("/check/message/", {"token": genuine, "text": "sent with the real token", "kind": "message"})
    assert sent.status_code == 200
    assert [m["text"] for m in open_with_receipt(receipt).messages()] == ["sent with the real token"]


# --- the staff unlock cookie -------------------------------------------------------------------------


def _assert_locked(client, response) -> None:
    """Sent to log in again, kindly, with nothing decrypted on the way."""
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?locked=1"
    assert SECRET_STORY not in response.content.decode()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert KEYS_LOCKED in page_text(page)


def _login_again(client: CsrfClient, user) -> None:
    # A person would wait for the next code: django-otp refuses one it has seen.
    Authenticator.objects.filter(user=user).update(last_t=-1)
    staff_login(client, user)


def _flip_cookie(value: str, where: float) -> str:
    raw = bytearray(base64.urlsafe_b64decode(value))
    raw[int((len(raw) - 1) * where)] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode()


def test_a_tampered_or_foreign_unlock_cookie_opens_nothing(staff, logged_in):
    report = new_report()
    client = logged_in("advocate")
    url = f"/staff/reports/{report.id}/"
    assert SECRET_STORY in client.get(url).content.decode()
    genuine = client.cookies[COOKIE].value
    colleagues = logged_in("colleague").cookies[COOKIE].value  # a key holder too: a valid cookie, not ours

    for forged in (
        _flip_cookie(genuine, 0),
        _flip_cookie(genuine, 0.5),
        _flip_cookie(genuine, 1),
        genuine[:-4],
        "",
        colleagues,
    ):
        client.cookies[COOKIE] = forged
        _assert_locked(client, client.get(url))
        _assert_locked(client, client.submit(f"{url}reply/", {"text": "a reply with a forged cookie"}))
    assert not report.messages.exists()

    client.cookies[COOKIE] = genuine
    assert SECRET_STORY in client.get(url).content.decode()


def test_the_unlock_cookie_of_another_session_of_the_same_person_opens_nothing(staff, logged_in):
    report = new_report()
    url = f"/staff/reports/{report.id}/"
    first = logged_in("advocate")
    second = CsrfClient()
    _login_again(second, staff["advocate"])
    mine, theirs = first.cookies[COOKIE].value, second.cookies[COOKIE].value
    assert mine != theirs

    first.cookies[COOKIE] = theirs
    _assert_locked(first, first.get(url))
    first.cookies[COOKIE] = mine
    assert SECRET_STORY in first.get(url).content.decode()
    assert SECRET_STORY in second.get(url).content.decode()


def test_an_unlock_cookie_kept_from_before_a_logout_opens_nothing_after_the_next_login(staff, logged_in):
    report = new_report()
    url = f"/staff/reports/{report.id}/"
    client = logged_in("advocate")
    kept = client.cookies[COOKIE].value
    assert client.submit("/staff/logout/").status_code == 302
    _login_again(client, staff["advocate"])
    fresh = client.cookies[COOKIE].value
    assert fresh != kept

    client.cookies[COOKIE] = kept
    _assert_locked(client, client.get(url))
    client.cookies[COOKIE] = fresh
    assert SECRET_STORY in client.get(url).content.decode()


# --- second factors at login ------------------------------------------------------------------------


def _password_step(client: CsrfClient, user, password: str = PASSWORD) -> None:
    response = client.submit(
        "/staff/login/",
        {"username": user.username, "password": password, "csrfmiddlewaretoken": client.token("/staff/login/")},
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/code/"


def _code_step(client: CsrfClient, code: str):
    return client.submit("/staff/login/code/", {"token": code, "csrfmiddlewaretoken": client.token("/staff/login/")})


def _assert_code_refused(client: CsrfClient, response) -> None:
    assert response.status_code == 400
    assert CODE_REFUSED in field_error(response, "token")
    queue = client.get("/staff/reports/")
    assert queue.status_code == 302 and queue["Location"].startswith("/staff/login/")


def test_a_totp_code_works_once(staff):
    user = staff["advocate"]
    code = code_for(user)
    first = CsrfClient()
    _password_step(first, user)
    assert _code_step(first, code).status_code == 302
    assert first.get("/staff/reports/").status_code == 200

    second = CsrfClient()
    _password_step(second, user)
    _assert_code_refused(second, _code_step(second, code))
    assert StaffProfile.objects.get(user=user).failed_logins == 1
    assert Event.objects.filter(action="login.failed", actor=user.username).count() == 1


def _recovery_codes(user, count: int = 3) -> list[str]:
    """Recovery codes made the way the enrol page makes them."""
    return otp.issue_recovery_codes(user, count)


def test_a_recovery_code_works_once_and_only_for_its_owner(staff):
    advocate, colleague = staff["advocate"], staff["colleague"]
    codes = _recovery_codes(advocate)
    colleagues_code = _recovery_codes(colleague)[0]

    first = CsrfClient()
    _password_step(first, advocate)
    assert _code_step(first, codes[0]).status_code == 302
    assert first.get("/staff/reports/").status_code == 200
    assert RecoveryCode.objects.filter(device__user=advocate).count() == len(codes) - 1

    for code in (codes[0], colleagues_code):
        # Forget earlier failures, so that the refusal is the code's and not django-otp's throttle.
        RecoveryCodes.objects.filter(user=advocate).update(throttling_failure_count=0)
        attempt = CsrfClient()
        _password_step(attempt, advocate)
        _assert_code_refused(attempt, _code_step(attempt, code))

    # The control: the colleague's code was a real one, still unused.
    owner = CsrfClient()
    _password_step(owner, colleague)
    assert _code_step(owner, colleagues_code).status_code == 302
    assert owner.get("/staff/reports/").status_code == 200


# --- the one-time password of an account reset ------------------------------------------------------


def test_the_one_time_password_of_a_reset_stops_working_once_replaced(staff, logged_in):
    colleague = staff["colleague"]
    response = logged_in("admin").submit(f"/staff/accounts/{colleague.pk}/reset/", {"confirm": "on"})
    assert response.status_code == 200
    password = one_time_password(response)

    client = CsrfClient()
    first_login(client, colleague, password)
    change_password(client, password, NEW_PASSWORD)
    assert client.submit("/staff/logout/").status_code == 302

    refused = CsrfClient().submit("/staff/login/", {"username": colleague.username, "password": password})
    assert refused.status_code == 400
    assert "That username and password do not match" in page_text(refused)
    with pytest.raises(InvalidPassphraseError):
        custody.unlock(get_user_model().objects.get(pk=colleague.pk), password)
    # The control: the password they chose opens the door.
    chosen = CsrfClient().submit("/staff/login/", {"username": colleague.username, "password": NEW_PASSWORD})
    assert chosen.status_code == 302
    assert chosen["Location"] == "/staff/login/code/"
