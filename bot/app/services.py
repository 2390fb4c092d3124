"""Everything the bot needs, wired once: router, safety, escalation, clock and outbox.

`rise-bot run`, the demo, the tests and the benchmarks all build the system here, so they run
the same code.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot

from bot.app.catalogue import registry
from bot.app.config import Settings
from bot.care.checkins import CheckinRules, Checkins
from bot.db.engine import Database
from bot.features.registry import Kit
from bot.pictures.charts import stop_chart_helper
from bot.router import ConversationRouter
from bot.safety.detecting_gate import DetectingGate
from bot.safety.escalation import Escalation
from bot.safety.policy import EscalationPolicy, load_policy
from bot.safety.reader import SafetyReader
from bot.safety.shared import shared_reader
from bot.tg.message_log import MessageLog
from bot.tg.transport import TelegramTransport
from bot.time.clock import Clock, system_clock
from bot.time.email import SmtpTransport
from bot.time.outbox import OutboxSender, Transport
from content.loader import Content, default_content


@dataclass
class Services:
    db: Database
    content: Content
    router: ConversationRouter
    clock: Clock
    escalation: Escalation
    gate: DetectingGate
    now: Callable[[], datetime]
    message_log: MessageLog | None = None
    transports: dict[str, Transport] = field(default_factory=dict)
    checkins: Checkins | None = None
    sender: OutboxSender | None = None
    _tasks: list[asyncio.Task] = field(default_factory=list)
    _stop: asyncio.Event | None = None

    def attach_bot(self, bot: Bot) -> OutboxSender:
        """Deliver the outbox through this bot, and wake the sender whenever work is committed."""
        self.transports["telegram"] = TelegramTransport(bot, self.message_log)
        self.sender = OutboxSender(self.db, self.transports, self.now)
        self.sender.on_settled.append(self.escalation.delivery_settled)
        self.router.on_commit.append(self.sender.kick)
        self.clock.after_tick.append(self.sender.kick)
        return self.sender

    async def start_background(self, *, clock_interval: float = 1.0,
                               outbox_poll: float = 1.0) -> None:
        """The clock's heartbeat and the outbox sender, inside the running loop."""
        assert self.sender is not None, "attach_bot first"
        self._stop = asyncio.Event()
        self.clock.start(clock_interval)
        self._tasks.append(asyncio.create_task(self.sender.run(self._stop, idle=outbox_poll)))

    async def stop_background(self) -> None:
        await self.clock.stop()
        if self._stop is not None:
            self._stop.set()
        for task in self._tasks:
            # a sender still pacing a backlog stops after 4 s: rows it had claimed but not
            # sent go back to the queue; one cut off mid-send is taken up again once it
            # loses its lease, within seconds (sent at least once, none is lost)
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, 5)
        self._tasks.clear()
        if self.message_log is not None:
            await self.message_log.close()
        stop_chart_helper()


def checkin_rules(settings: Settings | None) -> CheckinRules:
    if settings is None:
        return CheckinRules()
    return CheckinRules(window=timedelta(minutes=settings.checkin_window_minutes),
                        grace=timedelta(minutes=settings.checkin_grace_minutes),
                        missed_in_a_row=settings.missed_checkins_to_flag)




def build_services(db: Database, *, content: Content | None = None,
                   now: Callable[[], datetime] = system_clock, settings: Settings | None = None,
                   policy: EscalationPolicy | None = None,
                   reader: SafetyReader | None = None) -> Services:
    content = content or default_content(settings.area_contacts_file if settings else None)
    zone = ZoneInfo(settings.timezone) if settings else ZoneInfo("Europe/London")
    escalation = Escalation(policy or load_policy(), content, zone)
    gate = DetectingGate(reader or shared_reader(), escalation, content, now)
    checkins = Checkins(escalation, content, zone, checkin_rules(settings))
    features = registry(Kit(content, now, escalation=escalation, checkins=checkins,
                            bot_username=settings.bot_username if settings else "rise_demo_bot"))
    router = ConversationRouter(db, features, safety=gate, clock=now)
    clock = Clock(db, now)
    features.register_jobs(clock)
    services = Services(db=db, content=content, router=router, clock=clock,
                        escalation=escalation, gate=gate, now=now,
                        message_log=MessageLog(db, now), checkins=checkins)
    if settings is not None and settings.smtp_host:
        services.transports["email"] = SmtpTransport(
            settings.smtp_host, settings.smtp_port, sender=settings.smtp_from,
            username=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls)
    return services
