"""Recipient organisations on the command line: add, edit, retire, list."""

from django.core.management.base import BaseCommand, CommandError

from casework import recipients
from casework.forms_admin import OrganisationForm

ACTOR = "manage.py recipient"


class Command(BaseCommand):
    help = (
        "Manage the organisations that receive referrals. Every one works under the deployment's one "
        "jurisdiction (HARBOR_JURISDICTION). Then invite their people: "
        "`manage.py invite USERNAME --role recipient --organisation NAME`."
    )

    def add_arguments(self, parser):
        kinds = [kind for kind, _title in recipients.kinds()]
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add an organisation")
        add.add_argument("name")
        add.add_argument("--kind", required=True, choices=kinds, help="the recipient profile its referrals follow")
        add.add_argument("--contact", default="", help="shown to advocates choosing where to refer")
        edit = sub.add_parser("edit", help="change an organisation's name, kind or contact line")
        edit.add_argument("name")
        edit.add_argument("--rename", default=None, help="its new name")
        edit.add_argument("--kind", default=None, choices=kinds)
        edit.add_argument("--contact", default=None)
        retire = sub.add_parser("retire", help="retire an organisation for good (docs/operations.md)")
        retire.add_argument("name")
        retire.add_argument("--yes", action="store_true", help="confirm: it cannot be undone")
        sub.add_parser("list", help="list the organisations")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _form(self, data: dict, instance=None) -> dict:
        form = OrganisationForm(data, instance=instance)
        if not form.is_valid():
            problems = [f"{field}: {' '.join(str(e) for e in errors)}" for field, errors in form.errors.items()]
            raise CommandError("; ".join(problems))
        return form.cleaned_data

    def _named(self, name: str):
        organisation = recipients.named(name)
        if organisation is None:
            raise CommandError(f"No organisation named {name!r}.")
        return organisation

    def _add(self, *, name, kind, contact, **options):
        data = self._form({"name": name, "kind": kind, "contact": contact})
        try:
            organisation = recipients.add(ACTOR, data["name"], data["kind"], data["contact"])
        except recipients.Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Added {organisation.name!r} ({organisation.kind}).")

    def _edit(self, *, name, rename, kind, contact, **options):
        organisation = self._named(name)
        if organisation.retired:
            raise CommandError(f"{organisation.name!r} was retired; it cannot be changed.")
        data = self._form(
            {
                "name": organisation.name if rename is None else rename,
                "kind": organisation.kind if kind is None else kind,
                "contact": organisation.contact if contact is None else contact,
            },
            instance=organisation,
        )
        try:
            recipients.edit(ACTOR, organisation, name=data["name"], kind=data["kind"], contact=data["contact"])
        except recipients.Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Saved {organisation.name!r} ({organisation.kind}).")

    def _retire(self, *, name, yes, **options):
        organisation = self._named(name)
        if not yes:
            raise CommandError(
                f"Retiring {organisation.name!r} is for good: add --yes. It is offered no more referrals, its "
                "people's accounts are deactivated, and referrals already sent stay readable to advocates."
            )
        try:
            done = recipients.retire(ACTOR, organisation)
        except recipients.Refused as exc:
            raise CommandError(str(exc)) from exc
        people = ", ".join(done.deactivated) or "none"
        self.stdout.write(
            f"Retired {organisation.name!r}. Accounts deactivated: {people}. "
            f"Waiting invitations withdrawn: {done.invitations}."
        )

    def _list(self, **options):
        where = recipients.jurisdiction()
        self.stdout.write(f"Jurisdiction: {where.name} ({where.code})")
        rows = recipients.rows()
        if not rows:
            self.stdout.write("No recipient organisation yet.")
        for row in rows:
            o = row.organisation
            state = f"retired {o.retired_at:%Y-%m-%d}" if o.retired else "current"
            self.stdout.write(
                f"{o.name}\t{o.kind}\t{state}\t{row.members} active, {row.pending} invited, "
                f"{row.referrals} referrals\t{o.contact}"
            )
