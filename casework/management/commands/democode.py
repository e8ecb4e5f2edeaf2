"""Development only: print the current two-step code of a demo account."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.management.commands.demo import DEMO_USERS, current_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("username", choices=sorted(DEMO_USERS))

    def handle(self, *args, username, **options):
        if not settings.DEBUG or not (settings.DEVELOPMENT or settings.TESTING):
            raise CommandError("democode runs only in development.")
        self.stdout.write(current_code(username))
