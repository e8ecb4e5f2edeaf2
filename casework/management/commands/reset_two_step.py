"""Remove a staff member's authenticator and recovery codes; they enrol again at next login."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import record
from casework import otp


class Command(BaseCommand):
    help = (
        "Remove the authenticator and recovery codes of staff accounts (e.g. after HARBOR_OTP_KEY was lost). "
        "Passwords and keys stay; at the next login each person sets up two-step login again."
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args, usernames, **options):
        users = list(get_user_model().objects.filter(username__in=usernames))
        unknown = sorted(set(usernames) - {u.username for u in users})
        if unknown:
            raise CommandError(f"No account named {', '.join(unknown)}.")
        with transaction.atomic():
            for user in users:
                otp.remove_all(user)
                record("manage.py reset_two_step", "otp.reset", user.username)
        self.stdout.write(f"Two-step login removed for {len(users)} account(s); each sets it up again at next login.")
