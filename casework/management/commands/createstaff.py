"""Create a staff account with a key pair and print its one-time password."""

from django.core.management.base import BaseCommand, CommandError

from casework import admin_services
from casework.forms_admin import AccountForm
from casework.models import Organisation, Role


class Command(BaseCommand):
    help = (
        "Create a staff account with a key pair. Prints a one-time password: the person changes it and "
        "sets up two-step login at first login. Advocates then need a grant (`manage.py grant`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", default=[], choices=Role.values, help="repeat for several roles")
        parser.add_argument("--organisation", default="", help="the recipient's organisation, by name")

    def handle(self, *args, username, role, organisation, **options):
        org = None
        if organisation:
            org = Organisation.objects.filter(name=organisation).first()
            if org is None:
                raise CommandError(f"No organisation named {organisation!r}.")
        form = AccountForm({"username": username, "roles": role, "organisation": org.pk if org else ""})
        if not form.is_valid():
            problems = [f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()]
            raise CommandError("; ".join(problems))
        data = form.cleaned_data
        user, password = admin_services.create_account(
            "manage.py createstaff", data["username"], data["roles"], data["organisation"]
        )
        self.stdout.write(f"Created {user.username!r} ({', '.join(data['roles']) or 'no role'}).")
        self.stdout.write(f"One-time password (shown once): {password}")
