"""The second alert channel: email over SMTP, for critical alerts nobody acknowledged in time."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from bot.db.models import OutboxMessage
from bot.time.outbox import Undeliverable


class SmtpTransport:
    def __init__(self, host: str, port: int = 25, *, sender: str = "rise-bot@localhost",
                 username: str | None = None, password: str | None = None,
                 starttls: bool = False, timeout: float = 15.0):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = (username, password,
                                                                     starttls, timeout)

    def _send_now(self, message: OutboxMessage) -> None:
        if not message.address:
            raise Undeliverable("no address")
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.address
        mail["Subject"] = "RISE: urgent safeguarding alert not yet acknowledged"
        mail.set_content(message.text)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)

    async def send(self, message: OutboxMessage) -> int | None:
        await asyncio.to_thread(self._send_now, message)
        return None
