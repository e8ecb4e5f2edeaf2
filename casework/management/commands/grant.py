"""A key holder grants the organisation key to another staff member."""

from django.core.management.base import BaseCommand, CommandError

from casework import accounts, grants
from casework.management.commands._holder import unlock_holder, user_named
from vault.exceptions import KeyMissingError, NotKeyHolderError


class Command(BaseCommand):
    help = "Grant the active organisation key to --to, unlocked with the password of --holder (asked, never echoed)."

    def add_arguments(self, parser):
        parser.add_argument("--holder", required=True, help="a key holder; their password unlocks the key")
        parser.add_argument("--to", required=True, dest="to", help="who receives the key")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the holder's password from standard input"
        )

    def handle(self, *args, holder, to, password_stdin, **options):
        target = user_named(to)
        holder_user, keys = unlock_holder(holder, password_stdin)
        try:
            grants.grant(holder_user, keys, target)
        except NotKeyHolderError as exc:
            raise CommandError(f"{holder!r} does not hold the active organisation key.") from exc
        except KeyMissingError as exc:
            raise CommandError("There is no organisation key; run `manage.py bootstrap`.") from exc
        except accounts.Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{target.username!r} now holds the organisation key.")
