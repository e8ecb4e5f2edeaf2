"""Production key ceremony: the first key holder and the organisation key."""

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import record
from casework.models import StaffProfile
from vault.custody import create_org_key, create_staff_key
from vault.models import OrgKey


class Command(BaseCommand):
    help = (
        "Create the first administrator and key holder, and the organisation intake key. "
        "The password is asked for and never echoed. Refuses if an organisation key exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input (for automation)"
        )

    def handle(self, *args, username, password_stdin, **options):
        if OrgKey.objects.exists():
            raise CommandError("An organisation key already exists. Use `rotate_org_key` to rotate it.")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        if password_stdin:
            import sys

            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password for the first key holder: ")
            if password != getpass.getpass("Again: "):
                raise CommandError("The passwords differ.")
        user = User(username=username, is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            # Administrator (accounts, grants) and advocate (reads reports); two-step login is set up at first login.
            StaffProfile.objects.create(user=user, roles=["admin", "advocate"])
            staff_key = create_staff_key(user, password)
            org_key = create_org_key(staff_key, granted_by=user)
            record(username, "key.org_created", org_key.key_id)
        self.stdout.write(f"Created {username!r} and organisation key {org_key.key_id}.")
        self.stdout.write(
            "Store the password as docs/operations.md describes; without a key holder no report can be read."
        )
