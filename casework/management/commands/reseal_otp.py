"""After HARBOR_OTP_KEY changes: move every authenticator seed to the new key (docs/operations.md)."""

from django.core.management.base import BaseCommand

from casework import otp


class Command(BaseCommand):
    help = (
        "Seal every staff authenticator seed under the current HARBOR_OTP_KEY, and say whether "
        "HARBOR_OTP_KEY_FALLBACKS is still needed for recovery codes."
    )

    def handle(self, *args, **options):
        moved, waiting = otp.reseal_all()
        self.stdout.write(f"Moved {moved} authenticator seed(s) to HARBOR_OTP_KEY.")
        if waiting:
            self.stdout.write(
                f"Recovery codes of {waiting} account(s) still need a key in HARBOR_OTP_KEY_FALLBACKS: "
                "keep it until they are used or the accounts reset."
            )
        else:
            self.stdout.write("Nothing needs HARBOR_OTP_KEY_FALLBACKS any more.")
