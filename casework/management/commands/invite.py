"""Invite a staff member or recipient: print a single-use, expiring link to hand over."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from casework import invitations, recipients
from casework.forms_admin import InviteForm
from casework.models import Invitation, Role

ACTOR = "manage.py invite"


def base_url() -> str:
    """Where people reach the dashboard: the first trusted origin, else the first allowed host over HTTPS."""
    if settings.CSRF_TRUSTED_ORIGINS:
        return settings.CSRF_TRUSTED_ORIGINS[0].rstrip("/")
    if settings.DEVELOPMENT:
        return "http://127.0.0.1:8000"
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    return f"https://{hosts[0]}" if hosts else ""


class Command(BaseCommand):
    help = (
        "Invite someone: prints a link that works once, for --hours (HARBOR_INVITATION_HOURS, 72 by default). "
        "Hand it over yourself; Harbor sends nothing. The person opens it, chooses a password (their key "
        "pair is made with it) and sets up two-step login. Advocates then need a grant (`manage.py grant`). "
        "--list shows invitations; --revoke USERNAME withdraws a waiting one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="the username they will log in with")
        parser.add_argument("--role", action="append", default=[], choices=Role.values, help="repeat for several roles")
        parser.add_argument("--organisation", default="", help="a recipient's organisation, by name")
        parser.add_argument("--hours", type=int, default=None, help="how long the link works")
        parser.add_argument("--base-url", default=None, help="the dashboard's address, e.g. https://harbor.example.org")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--revoke", action="store_true", help="withdraw the waiting invitation for USERNAME")
        action.add_argument(
            "--list", dest="show_list", action="store_true", help="list the invitations not yet deleted"
        )

    def handle(self, *args, username, role, organisation, hours, base_url, revoke, show_list, **options):
        if show_list:
            return self._list()
        if not username:
            raise CommandError("Name the username to invite (or use --list).")
        if revoke:
            return self._revoke(username)
        org = None
        if organisation:
            org = recipients.named(organisation)
            if org is None:
                raise CommandError(f"No organisation named {organisation!r}.")
            if org.retired:
                raise CommandError(f"{org.name!r} was retired: it takes no new members.")
        data = {
            "username": username,
            "roles": role,
            "organisation": org.pk if org else "",
            "hours": "" if hours is None else hours,
        }
        form = InviteForm(data)
        if not form.is_valid():
            problems = [f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()]
            raise CommandError("; ".join(problems))
        clean = form.cleaned_data
        try:
            issued = invitations.invite(
                ACTOR, clean["username"], clean["roles"], clean["organisation"], hours=clean["hours"]
            )
        except invitations.Refused as exc:
            raise CommandError(str(exc)) from exc
        path = reverse("casework:accept", kwargs={"token": issued.token})
        site = (self._site(base_url) or "").rstrip("/")
        until = timezone.localtime(issued.invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"Invited {issued.invitation.username!r} ({', '.join(clean['roles']) or 'no role'}).")
        self.stdout.write(f"Invitation link (shown once, works once, until {until}): {site}{path}")
        self.stdout.write("Hand it over yourself, in person or through a channel you trust; Harbor sends nothing.")
        return None

    def _site(self, given: str | None) -> str:
        return given if given is not None else base_url()

    def _revoke(self, username: str) -> None:
        now = timezone.now()
        waiting = [i for i in Invitation.objects.filter(username__iexact=username) if i.state(now) == "pending"]
        if not waiting:
            raise CommandError(f"No waiting invitation for {username!r}.")
        for invitation in waiting:
            invitations.revoke(ACTOR, invitation, now=now)
        self.stdout.write(f"Withdrew the invitation for {username!r}: its link makes nothing now.")

    def _list(self) -> None:
        rows = invitations.listing()
        if not rows:
            self.stdout.write("No invitations.")
        for i in rows:
            until = timezone.localtime(i.expires_at).strftime("%Y-%m-%d %H:%M")
            where = f" at {i.organisation.name}" if i.organisation else ""
            self.stdout.write(f"{i.username}\t{','.join(i.roles) or '-'}{where}\t{i.current_state}\tuntil {until}")
