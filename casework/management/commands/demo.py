"""Development only: one account per role, with keys and two-step login, so a newcomer can log in at once."""

import base64
import os
import shlex
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.oath import totp

from casework import otp, recipients
from casework.models import Authenticator, StaffProfile
from intake.models import Report
from vault.custody import create_org_key, create_staff_key, grant, open_grant, unlock_staff_key
from vault.models import OrgKey, StaffKey

# username: (password, roles). Well-known on purpose: development only.
DEMO_USERS = {
    "advocate": ("advocate-demo-pass-1", ["advocate"]),
    "admin": ("admin-demo-pass-1", ["admin"]),
    "auditor": ("auditor-demo-pass-1", ["auditor"]),
    "recipient": ("recipient-demo-pass-1", ["recipient"]),
}


# Recipient organisations: (name, kind, contact line shown to advocates). The first has the demo recipient.
DEMO_ORGANISATIONS = [
    ("Demo Victim Services", "victim_services", "Intake line 555-0100, weekdays 9-5; ask for the duty advocate"),
    ("Demo Health Clinic", "health_org", "Walk-in Tuesday and Thursday afternoons, 555-0150"),
]


# A fixed TOTP key per demo user, derived from the name so it is stable across runs.
def demo_totp_key(username: str) -> str:
    return (username.encode() * 20)[:20].hex()


def current_code(username: str) -> str:
    key = bytes.fromhex(demo_totp_key(username))
    return f"{totp(key):06d}"


def democode_command(username: str) -> str:
    """The command that prints a demo account's current code, to be pasted as it is printed.

    It names this interpreter (the checkout's .venv, not whatever ``python`` is on the PATH)
    and development mode, without which settings refuse to start; paths are relative to the
    directory the demo was run from when they are inside it.
    """
    here = Path.cwd()

    def shown(path: Path) -> str:
        return os.path.relpath(path, here) if path.is_relative_to(here) else str(path)

    manage = Path(settings.BASE_DIR) / "manage.py"
    return shlex.join(
        ["env", "HARBOR_ENV=development", shown(Path(sys.executable)), shown(manage), "democode", username]
    )


class Command(BaseCommand):
    help = "Create demo accounts, keys and sample reports (development only; refuses when DEBUG is off)."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=3, help="sample reports to create if there are none")

    def handle(self, *args, reports, **options):
        if not settings.DEBUG or not (settings.DEVELOPMENT or settings.TESTING):
            raise CommandError(
                "demo creates well-known passwords: it runs only in development (HARBOR_ENV=development, DEBUG on)."
            )
        with transaction.atomic():
            org = self._organisations()
            self._accounts(org)
            self._org_key()
        receipts = []
        if reports and not Report.objects.exists():
            receipts = self._sample_reports(reports)
        self.stdout.write("Demo accounts (development only). Log in at /staff/login/:")
        for username, (password, roles) in DEMO_USERS.items():
            secret = base64.b32encode(bytes.fromhex(demo_totp_key(username))).decode()
            self.stdout.write(f"  {username:10} password {password:24} TOTP secret {secret}  ({', '.join(roles)})")
        self.stdout.write(f"  Current two-step code for a user: {democode_command('advocate')}")
        self.stdout.write(
            "  Try onboarding: log in as admin (Accounts and keys → Invitations), or "
            "python manage.py invite newcomer --role advocate"
        )
        for receipt in receipts:
            self.stdout.write(f"  Sample report receipt (open it at /check/): {receipt}")

    def _organisations(self):
        """The demo recipient organisations; return the first, which the recipient user joins."""
        org = recipients.current().filter(name=DEMO_ORGANISATIONS[0][0]).first()
        if org is None:
            org = recipients.add("manage.py demo", *DEMO_ORGANISATIONS[0])
        for name, kind, contact in DEMO_ORGANISATIONS[1:]:
            if not recipients.current().filter(name=name).exists():
                recipients.add("manage.py demo", name, kind, contact)
        return org

    def _accounts(self, org) -> None:
        """Each demo user with its roles, key pair and a known two-step secret."""
        User = get_user_model()
        for username, (password, roles) in DEMO_USERS.items():
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            if created:
                user.set_password(password)
                user.save()
            StaffProfile.objects.update_or_create(
                user=user, defaults={"roles": roles, "organisation": org if "recipient" in roles else None}
            )
            if not StaffKey.objects.filter(user=user).exists():
                create_staff_key(user, password)
            Authenticator.objects.filter(user=user).delete()
            otp.add_authenticator(user, bytes.fromhex(demo_totp_key(username)), confirmed=True)

    def _org_key(self) -> None:
        if OrgKey.objects.exists():
            return
        # Two key holders, as docs/operations.md asks: one lost password must not lose every report.
        User = get_user_model()
        advocate_key = User.objects.get(username="advocate").vault_key
        org_key = create_org_key(advocate_key)
        private = open_grant(org_key.grants.get(), unlock_staff_key(advocate_key, DEMO_USERS["advocate"][0]))
        grant(org_key, private, User.objects.get(username="admin").vault_key)

    def _sample_reports(self, count: int) -> list[str]:
        from intake.services import Draft, submit
        from vault.receipts import display

        samples = [
            {
                "crime_types": ["robbery", "physical_assault"],
                "role": "victim",
                "area": "Mission District",
                "safe_now": "yes",
                "injured": "yes",
                "injuries": "bruised ribs",
                "needs": ["medical"],
                "consent": ["victim_services"],
                "perp_description": "tall man, grey hoodie",
                "perp_vehicle": "silver sedan, plate starts 7AB",
                "narrative": "He grabbed my bag at the bus stop, hit me and drove off.",
            },
            {
                "crime_types": ["stalking", "threats_extortion"],
                "role": "victim",
                "area": "Tenderloin",
                "safe_now": "no",
                "needs": ["safety_planning", "shelter"],
                "consent": ["record_only"],
                "narrative": "The same man has followed me home three nights this week and sends threats.",
            },
            {
                "crime_types": ["sexual_assault"],
                "role": "witness",
                "area": "Oakland",
                "needs": ["counselling"],
                "consent": ["health_org"],
                "narrative": "I saw a man force a woman into a van near the park.",
            },
        ]
        out = []
        for i in range(count):
            _report, receipt = submit(
                Draft(nonce=f"demo-{i}-{Report.objects.count()}", lang="en", data=samples[i % 3], photos=[])
            )
            out.append(display(receipt))
        return out
