"""Two-step login with secrets the database cannot give away.

The thief reads every row of every table as raw bytes and finds neither a TOTP seed nor a
recovery code, in any encoding or unkeyed hash; logins with the authenticator and with a
recovery code still work, a recovery code works once, the enrolment QR code verifies, and a
seed planted by someone who can write to the database opens nothing.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Event
from casework import otp
from casework.models import Authenticator, RecoveryCode, RecoveryCodes
from casework.views_auth import _qr_svg
from tests.casework.conftest import PASSWORD, code_for, make_staff
from tests.conftest import CsrfClient
from tests.intake.conftest import field_error
from vault import otp as otp_secrets

pytestmark = pytest.mark.django_db

REFUSED = "That code did not work."
SECRET = re.compile(r'<code class="secret">([A-Z2-7=]+)</code>')
QR = re.compile(r'<svg role="img".*?</svg>', re.S)
CODES = re.compile(r"<li><code>([a-z2-7]{8})</code></li>")


def _password_step(client: CsrfClient, user, password: str = PASSWORD):
    response = client.submit("/staff/login/", {"username": user.username, "password": password})
    assert response.status_code == 302
    return response


def _enrol(client: CsrfClient, user) -> tuple[bytes, str, list[str]]:
    """First login as a person does it: read the key off the page, type a code; return (seed, QR svg, codes)."""
    assert _password_step(client, user)["Location"] == "/staff/login/enrol/"
    page = client.get("/staff/login/enrol/").content.decode()
    seed = base64.b32decode(SECRET.search(page).group(1))
    done = client.submit("/staff/login/enrol/", {"token": f"{totp(seed):06d}"})
    assert done.status_code == 200
    codes = CODES.findall(done.content.decode())
    assert len(codes) == otp.RECOVERY_CODES
    return seed, QR.search(page).group(0), codes


def _code_step(client: CsrfClient, token: str):
    return client.submit("/staff/login/code/", {"token": token})


def _logged_in(client: CsrfClient) -> bool:
    return client.get("/staff/reports/").status_code == 200


def _every_byte_at_rest() -> bytes:
    """Every value of every row of every table, as a thief with a copy of the database reads it."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        values.append(bytes(value))
                    elif value is not None:
                        values.append(str(value).encode())
    return b"\x00".join(values)


def _forms_of(secret: bytes) -> list[bytes]:
    """What a seed or code could be stored as and still be usable: encodings and unkeyed hashes."""
    forms = [secret, secret.hex().encode(), secret.hex().upper().encode()]
    forms += [base64.b32encode(secret), base64.b32encode(secret).rstrip(b"="), base64.b32encode(secret).lower()]
    forms += [base64.b64encode(secret), base64.urlsafe_b64encode(secret).rstrip(b"=")]
    for name in ("md5", "sha1", "sha256", "sha512"):
        digest = hashlib.new(name, secret).digest()
        forms += [digest, digest.hex().encode()]
    return forms


def test_the_database_holds_no_seed_or_recovery_code_in_a_usable_form():
    user = make_staff("newcomer", ["advocate"], totp_confirmed=False)
    seed, _qr, codes = _enrol(CsrfClient(), user)
    used, unused = codes[0], codes[1:]
    assert _code_step(_after_password(user), used).status_code == 302  # one used, the rest kept

    rows = _every_byte_at_rest()
    assert Authenticator.objects.filter(user=user, confirmed=True).exists()
    assert RecoveryCode.objects.filter(device__user=user).count() == len(unused)
    for form in _forms_of(seed):
        assert form not in rows
    for code in codes:
        for form in _forms_of(code.encode()) + _forms_of(code.upper().encode()):
            assert form not in rows, code
    # Nothing left in django-otp's own tables either.
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()


def _after_password(user) -> CsrfClient:
    client = CsrfClient()
    _password_step(client, user)
    return client


def test_login_works_with_the_authenticator_and_with_a_recovery_code_once():
    user = make_staff("newcomer", ["advocate"], totp_confirmed=False)
    enrolling = CsrfClient()
    seed, _qr, codes = _enrol(enrolling, user)
    assert _logged_in(enrolling)

    Authenticator.objects.filter(user=user).update(last_t=-1)  # a person would wait for the next code
    client = _after_password(user)
    assert _code_step(client, f"{totp(seed):06d}").status_code == 302
    assert _logged_in(client)

    # A recovery code, typed in capitals with a dash as people copy them from paper.
    client = _after_password(user)
    typed = f"{codes[3][:4]}-{codes[3][4:]}".upper()
    assert _code_step(client, typed).status_code == 302
    assert _logged_in(client)

    RecoveryCodes.objects.filter(user=user).update(throttling_failure_count=0)
    again = _after_password(user)
    response = _code_step(again, codes[3])
    assert response.status_code == 400 and REFUSED in field_error(response, "token")
    assert not _logged_in(again)


def test_the_enrolment_qr_code_carries_the_key_that_verifies():
    user = make_staff("newcomer", ["advocate"], totp_confirmed=False)
    client = CsrfClient()
    _password_step(client, user)
    page = client.get("/staff/login/enrol/").content.decode()
    seed = base64.b32decode(SECRET.search(page).group(1))
    # The QR code drawn on the page is the one for an otpauth URL holding that same key.
    url = f"otpauth://totp/Harbor%3Anewcomer?secret={base64.b32encode(seed).decode()}&algorithm=SHA1&digits=6&period=30&issuer=Harbor"
    assert QR.search(page).group(0) == _qr_svg(url)
    # Reloading the page shows the same key (the pending authenticator is kept, sealed).
    assert SECRET.search(client.get("/staff/login/enrol/").content.decode()).group(1) == SECRET.search(page).group(1)
    response = client.submit("/staff/login/enrol/", {"token": f"{totp(seed):06d}"})
    assert response.status_code == 200 and "Your recovery codes" in response.content.decode()
    assert _logged_in(client)


def test_a_seed_planted_in_the_database_opens_nothing(staff):
    """Someone who can write to the database, but lacks HARBOR_OTP_KEY, cannot set a victim's seed."""
    victim, intruder = staff["advocate"], staff["outsider"]
    known = b"known seed of 20 b!!"
    # 1. Their own sealed seed, copied onto the victim's authenticator.
    Authenticator.objects.filter(user=intruder).update(last_t=-1)
    Authenticator.objects.filter(user=victim).update(sealed_seed=Authenticator.objects.get(user=intruder).sealed_seed)
    # 2. A plaintext django-otp device of their making, as the tables of old kept them.
    TOTPDevice.objects.create(user=victim, name="planted", key=known.hex(), confirmed=True)
    StaticToken.objects.create(device=StaticDevice.objects.create(user=victim, name="planted"), token="planted1")

    for token in (code_for(intruder), f"{totp(known):06d}", "planted1"):
        Authenticator.objects.filter(user=victim).update(throttling_failure_count=0)
        client = _after_password(victim)
        response = _code_step(client, token)
        assert response.status_code == 400, token
        assert not _logged_in(client)


def test_a_rotated_key_keeps_logins_working_and_moves_the_seed():
    old, new = "aa" * 32, "bb" * 32
    with override_settings(HARBOR_OTP_KEY=old, HARBOR_OTP_KEY_FALLBACKS=[]):
        user = make_staff("newcomer", ["advocate"], totp_confirmed=False)
        seed, _qr, codes = _enrol(CsrfClient(), user)
    with override_settings(HARBOR_OTP_KEY=new, HARBOR_OTP_KEY_FALLBACKS=[old]):
        Authenticator.objects.filter(user=user).update(last_t=-1)
        assert _code_step(_after_password(user), f"{totp(seed):06d}").status_code == 302
        assert otp_secrets.sealed_with_current_key(bytes(Authenticator.objects.get(user=user).sealed_seed))
        assert _code_step(_after_password(user), codes[0]).status_code == 302  # digests under the old key
    with override_settings(HARBOR_OTP_KEY=new, HARBOR_OTP_KEY_FALLBACKS=[]):
        Authenticator.objects.filter(user=user).update(last_t=-1)
        assert _code_step(_after_password(user), f"{totp(seed):06d}").status_code == 302


def test_a_key_that_was_lost_refuses_the_code_without_a_500():
    with override_settings(HARBOR_OTP_KEY="aa" * 32, HARBOR_OTP_KEY_FALLBACKS=[]):
        user = make_staff("newcomer", ["advocate"])
    with override_settings(HARBOR_OTP_KEY="bb" * 32, HARBOR_OTP_KEY_FALLBACKS=[]):
        response = _code_step(_after_password(user), f"{totp((b'newcomer' * 20)[:20]):06d}")
    assert response.status_code == 400
    assert REFUSED in field_error(response, "token")


# --- the data migration ------------------------------------------------------------------------------

_migration = importlib.import_module("casework.migrations.0003_seal_otp_secrets")


def test_the_migration_seals_old_seeds_hashes_old_codes_and_reverses():
    user = make_staff("veteran", ["advocate"], totp_confirmed=False)
    seed = bytes(range(100, 120))
    TOTPDevice.objects.create(
        user=user, name="authenticator", key=seed.hex(), confirmed=True, last_t=42, drift=1, tolerance=2
    )
    static = StaticDevice.objects.create(user=user, name="recovery")
    for token in ("abcd2345", "efgh6723"):
        StaticToken.objects.create(device=static, token=token)

    _migration.seal(apps, connection.schema_editor())
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists() and not StaticToken.objects.exists()
    device = Authenticator.objects.get(user=user)
    assert (device.bin_key, device.confirmed, device.last_t, device.drift, device.tolerance) == (seed, True, 42, 1, 2)
    rows = _every_byte_at_rest()
    assert seed not in rows and seed.hex().encode() not in rows and b"abcd2345" not in rows
    # The migrated person logs in with a code from the authenticator and with an old recovery code.
    assert _code_step(_after_password(user), f"{totp(seed):06d}").status_code == 302
    assert _code_step(_after_password(user), "abcd2345").status_code == 302
    assert _code_step(_after_password(user), "abcd2345").status_code == 400

    _migration.unseal(apps, connection.schema_editor())
    old = TOTPDevice.objects.get(user=user)
    assert bytes.fromhex(old.key) == seed and old.confirmed
    assert not Authenticator.objects.exists()
    assert not RecoveryCodes.objects.exists()  # keyed hashes cannot be turned back into codes


def test_reseal_moves_every_seed_and_counts_codes_left_on_the_old_key():
    old, new = "aa" * 32, "bb" * 32
    with override_settings(HARBOR_OTP_KEY=old, HARBOR_OTP_KEY_FALLBACKS=[]):
        first = make_staff("first", ["advocate"])
        second = make_staff("second", ["advocate"])
        otp.issue_recovery_codes(second, 2)
    with override_settings(HARBOR_OTP_KEY=new, HARBOR_OTP_KEY_FALLBACKS=[old]):
        out = StringIO()
        call_command("reseal_otp", stdout=out)
        assert "Moved 2 authenticator seed(s)" in out.getvalue()
        assert "Recovery codes of 1 account(s) still need a key" in out.getvalue()
    with override_settings(HARBOR_OTP_KEY=new, HARBOR_OTP_KEY_FALLBACKS=[]):
        for user in (first, second):
            assert otp.verify(user, code_for(user)) is not None
        out = StringIO()
        call_command("reseal_otp", stdout=out)
        assert "Moved 0 authenticator seed(s)" in out.getvalue()


def test_an_operator_can_make_people_enrol_again_when_the_key_is_lost(staff):
    advocate = staff["advocate"]
    otp.issue_recovery_codes(advocate, 2)
    with pytest.raises(CommandError, match="No account named nobody"):
        call_command("reset_two_step", "advocate", "nobody", stdout=StringIO())
    assert Authenticator.objects.filter(user=advocate).exists()  # nothing done when a name is wrong

    call_command("reset_two_step", "advocate", stdout=StringIO())
    assert not Authenticator.objects.filter(user=advocate).exists()
    assert not RecoveryCodes.objects.filter(user=advocate).exists()
    assert Authenticator.objects.filter(user=staff["colleague"]).exists()
    assert Event.objects.filter(action="otp.reset", object_id="advocate").count() == 1
    # The password still comes first; then the person sets up a new authenticator.
    assert _password_step(CsrfClient(), advocate)["Location"] == "/staff/login/enrol/"
