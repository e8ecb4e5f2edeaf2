"""A real SMTP server on 127.0.0.1 for the notification tests (aiosmtpd), and what it received."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server took it: the envelope recipients and the raw bytes of DATA."""

    to: list[str]
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]

    @property
    def text(self) -> str:
        """The body, decoded from whatever transfer encoding it was sent in, with plain newlines."""
        return self.message.get_content().replace("\r\n", "\n")


@dataclass
class Inbox:
    """The server's handler. ``refuse_*`` set to an SMTP reply ("451 ...") turns every DATA or RCPT down."""

    received: list[Received] = field(default_factory=list)
    refuse_data: str = ""
    refuse_rcpt: str = ""
    unknown: set[str] = field(default_factory=set)  # addresses refused at RCPT with 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse_rcpt:
            return self.refuse_rcpt
        if address in self.unknown:
            return f"550 5.1.1 <{address}>: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse_data:
            return self.refuse_data
        self.received.append(Received(to=list(envelope.rcpt_tos), raw=envelope.original_content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.to]


class LoopbackServer(Controller):
    """aiosmtpd's threaded server on 127.0.0.1 and a port the system chose (no clash between test workers)."""

    def __init__(self, inbox: Inbox):
        super().__init__(inbox, hostname="127.0.0.1", port=0, ready_timeout=10)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()

    def mailers(self) -> dict:
        """MAILERS naming this server, as config/settings.py builds it from EMAIL_HOST and EMAIL_PORT."""
        options = {"host": "127.0.0.1", "port": self.port, "username": "", "password": "", "timeout": 5}
        return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}
