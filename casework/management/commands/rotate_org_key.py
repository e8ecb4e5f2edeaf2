"""Rotate the organisation key from the command line, re-wrapping every report in this process."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework import accounts, orgkey
from casework.management.commands._holder import unlock_holder
from vault import rotation
from vault.exceptions import KeyMissingError, NotKeyHolderError, RotationPendingError


class Command(BaseCommand):
    help = (
        "Rotate the organisation key, unlocked with --holder's password: every current holder receives the new "
        "key, every report is re-wrapped here, then the old key is retired. --replace-lost instead gives a new "
        "key to --holder when nobody holds the active one any more (its reports stay unreadable)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--holder", required=True)
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the holder's password from standard input"
        )
        parser.add_argument(
            "--replace-lost", action="store_true", help="the active key has no holder left: make a new one"
        )

    def handle(self, *args, holder, password_stdin, replace_lost, **options):
        if replace_lost:
            self._replace_lost(holder, password_stdin)
            return
        holder_user, keys = unlock_holder(holder, password_stdin)
        try:
            old = rotation.active_key()
            outcome = orgkey.rotate(holder_user, keys, inline=True)
        except KeyMissingError as exc:
            raise CommandError("There is no organisation key; run `manage.py bootstrap`.") from exc
        except NotKeyHolderError as exc:
            raise CommandError(f"{holder!r} does not hold the active organisation key.") from exc
        except RotationPendingError as exc:
            raise CommandError("An earlier rotation is not finished; its re-wrap must complete first.") from exc
        old.refresh_from_db()
        if outcome == "grace":
            wait = (rotation.retire_after(old) - timezone.now()).total_seconds()
            self.stdout.write(
                f"Reports re-wrapped. Waiting {max(wait, 0):.0f} s so that every server uses the new key…"
            )
            time.sleep(max(wait, 0) + 1)
            outcome = orgkey.start_rewrap(holder_user.username, keys, old, inline=True)
        if outcome != "done":
            raise CommandError(f"The re-wrap did not finish ({outcome}); see docs/operations.md.")
        self.stdout.write(f"Rotated: new key {rotation.active_key().key_id}; old key {old.key_id} retired.")

    def _replace_lost(self, holder, password_stdin):
        holder_user, _keys = unlock_holder(holder, password_stdin)  # proves the holder can open the new key
        try:
            new = orgkey.replace_lost_key(f"manage.py rotate_org_key ({holder})", holder_user)
        except NotKeyHolderError as exc:
            raise CommandError("Someone still holds the active key: rotate normally with their password.") from exc
        except accounts.Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"New organisation key {new.key_id}, held by {holder!r}. Reports on the lost key stay unreadable."
        )
