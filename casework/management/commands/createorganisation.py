"""Create an organisation that receives referrals (victim services, a clinic, police through an advocate)."""

from django.core.management.base import BaseCommand, CommandError

from casework import admin_services


class Command(BaseCommand):
    help = (
        "Create a receiving organisation. --kind is the recipient profile its referrals follow "
        "(policy/data/profiles). Then give it recipient accounts: "
        "`createstaff <username> --role recipient --organisation NAME`."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", required=True, choices=admin_services.ORGANISATION_KINDS)

    def handle(self, *args, name, kind, **options):
        try:
            organisation = admin_services.create_organisation("manage.py createorganisation", name, kind)
        except admin_services.Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created {organisation.name!r} ({kind}).")
