"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, keeping what arrives."""
from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email.policy import default as default_policy


@dataclass
class Arrival:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    authenticated: bool
    tls: bool

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=default_policy)


@dataclass
class Collector:
    """An aiosmtpd handler that keeps what arrives; `data_reply` / `refuse_rcpt` make it refuse."""

    arrived: list[Arrival] = field(default_factory=list)
    data_reply: str | None = None
    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    connections: int = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            reply = self.data_reply
            if reply.startswith("421"):
                self.data_reply = None                 # closing the session, once
            return reply
        tls = server.transport.get_extra_info("sslcontext") is not None
        self.arrived.append(Arrival(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                    bool(session.authenticated), tls))
        return "250 2.0.0 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


