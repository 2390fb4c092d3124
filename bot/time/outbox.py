"""The outbox: messages to people other than the sender of the current update.

They are written in the same transaction as the change that caused them (an alert opening, a
worker assigning a module), so nothing is lost if the process dies before sending. The sender
delivers them at least once, honouring Telegram's `retry_after`, with exponential backoff and
jitter, evenly spaced under Telegram's overall cap and about one a second per chat.

Exactly one sender should run per bot (in `rise-bot run`, or in `rise-bot clock` when scaled
out), so the cap is one number for the whole bot. On PostgreSQL, committing a new message
notifies the sender (LISTEN/NOTIFY on `rise_outbox`) wherever it runs; on SQLite it polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import and_, or_, select, update
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import OutboxMessage
from bot.db.sqlite_wake import wake_on_commit
from bot.pictures.charts import revive
from bot.time.claims import LEASE, RENEW_EVERY, claim
from bot.time.pacing import ChatPacer, Pacer
from flows.base import Button, Drawing, Keyboard, Reply

log = logging.getLogger(__name__)

TELEGRAM_CAP_PER_SECOND = 30
PER_CHAT_IN_FLIGHT = 3  # claimed for one chat at a time: its burst; it then takes ~1 a second
MAX_BACKOFF = 300.0
GIVE_UP_AFTER = 25  # attempts, for messages that are not part of an alert


class RetryLater(Exception):
    """The far side asked us to wait (Telegram 429): try again after `seconds`."""

    def __init__(self, seconds: float):
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Undeliverable(Exception):
    """The far side will never take this message (the person blocked the bot, no such chat)."""


class Transport(Protocol):
    async def send(self, message: OutboxMessage) -> int | None:
        """Deliver one message; return its id on the far side if there is one."""
        ...


def encode_buttons(buttons: Keyboard) -> dict:
    return {"rows": [[[b.label, b.data] for b in row] for row in buttons]}


def decode_buttons(stored: dict | None) -> Keyboard:
    rows = (stored or {}).get("rows", [])
    return tuple(tuple(Button(label, data) for label, data in row) for row in rows)


@runtime_checkable
class StoredDrawing(Drawing, Protocol):
    """A picture drawn only when it is sent, kept in its row as JSON until then."""

    def as_json(self) -> dict[str, Any]: ...


def as_reply(message: OutboxMessage) -> Reply:
    """The message as a reply; a stored drawing becomes one to draw when sent."""
    photo = message.photo if message.drawing is None else revive(message.drawing)
    return Reply(message.text, decode_buttons(message.buttons), photo=photo)


async def enqueue(session: AsyncSession, *, text: str, now: datetime, chat_id: int | None = None,
                  address: str | None = None, buttons: Keyboard = (), dedupe_key: str | None = None,
                  alert_id: int | None = None, photo: bytes | Drawing | None = None,
                  copy_of: tuple[int, int] | None = None) -> OutboxMessage | None:
    """Queue one message in the caller's transaction; a repeated dedupe key queues nothing.

    With a photo (PNG bytes, or a drawing the sender draws), the text is its caption (sent
    apart if too long for one). With `copy_of` (chat id, message id) it is a copy of that
    message, whatever it holds (Telegram's copyMessage), and `text` is left empty."""
    if dedupe_key is not None:
        exists = await session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if exists is not None:
            return None
    drawing = photo.as_json() if isinstance(photo, StoredDrawing) else None
    if photo is not None and drawing is None and not isinstance(photo, bytes):
        raise TypeError("the outbox keeps PNG bytes or a drawing it can store (as_json)")
    message = OutboxMessage(channel="email" if address else "telegram", chat_id=chat_id,
                            address=address, text=text, buttons=encode_buttons(buttons),
                            dedupe_key=dedupe_key, alert_id=alert_id, next_attempt_at=now,
                            created_at=now, photo=photo if drawing is None else None,
                            drawing=drawing, copy_from_chat_id=copy_of[0] if copy_of else None,
                            copy_message_id=copy_of[1] if copy_of else None)
    session.add(message)
    await session.flush()
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # delivered to the listening sender when (and only if) this transaction commits
        await session.execute(sql(f"SELECT pg_notify('{OUTBOX_CHANNEL}', '')"))
    elif session.bind is not None:
        wake_on_commit(session)  # SQLite: the same, by a datagram beside the database file
    return message


OUTBOX_CHANNEL = "rise_outbox"
# a page about danger never waits behind a backlog of check-ins; otherwise oldest first
ALERTS_FIRST = (OutboxMessage.alert_id.is_(None), OutboxMessage.id)


async def listen_for_outbox(url: str, kick: Callable[[], None], stop: asyncio.Event) -> None:
    """PostgreSQL: call `kick()` whenever a transaction that queued a message commits.

    Reconnects after losing the connection; the sender also polls, so a gap only slows it."""
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    while not stop.is_set():
        lost = asyncio.Event()
        try:
            connection = await asyncpg.connect(dsn)
        except Exception as error:
            log.warning("outbox listener cannot connect", extra={"error_type": type(error).__name__})
            await _pause(stop, 5)
            continue
        try:
            connection.add_termination_listener(lambda _c, lost=lost: lost.set())
            await connection.add_listener(OUTBOX_CHANNEL, lambda *_args: kick())
            kick()  # anything committed while we were not listening
            waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(lost.wait())}
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
        if not stop.is_set():
            await _pause(stop, 1)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


_JITTER = random.Random()


def backoff(attempts: int) -> float:
    """Exponential backoff with jitter, capped."""
    return min(MAX_BACKOFF, 2.0 ** attempts) * (0.5 + _JITTER.random())


# told, in the transaction that records it, how a message about an alert ended ("sent" or
# "failed"): a page counts as delivered, or the alert moves on, by what Telegram said
Settled = Callable[[AsyncSession, OutboxMessage, datetime], Awaitable[None]]


class OutboxSender:
    """Delivers due outbox rows, in order, at no more than Telegram's cap.

    Claiming never waits for sending: rows are claimed while earlier ones are still on their
    way (up to `batch` in flight), so a page committed now is claimed at once instead of after
    a batch of check-ins has left, and it takes the next free slot under the cap. Each chat's
    messages still go one after another, in the order they were claimed."""

    def __init__(self, db: Database, transports: dict[str, Transport], clock: Callable[[], datetime],
                 *, batch: int = 50, rate: float = TELEGRAM_CAP_PER_SECOND, parallel: int = 8):
        self.db = db
        self.transports = transports
        self.clock = clock
        self.batch = batch
        self.limiter = Pacer(rate)  # evenly spaced, in queue order, pages first
        self.chats = ChatPacer()  # and about one a second to any one chat
        self.parallel = parallel  # sent at once (Telegram answers in ~100 ms, not 3 ms)
        self._gate = asyncio.Semaphore(parallel)
        self._kick = asyncio.Event()
        self._in_flight: set[asyncio.Task[int]] = set()
        self._last_in_line: dict[tuple, asyncio.Task[int]] = {}  # the next one waits for it
        self._per_chat: Counter[tuple] = Counter()  # in flight to each chat
        self._waiting: dict[int, OutboxMessage] = {}  # claimed, not yet handed to a transport
        self._held: dict[int, str] = {}  # row id -> claim token, for every row in flight
        self._beating: asyncio.Task | None = None  # renewing the leases of what is held
        self._left_behind = False  # the last claim may have left due rows in the table
        self._sent = 0
        self.on_settled: list[Settled] = []

    def kick(self) -> None:
        """Something new is in the outbox (or room in flight): look now, not at the next tick."""
        self._kick.set()

    async def deliver_due(self) -> int:
        """Send everything due now and wait until it has gone; returns how many were sent."""
        before = self._sent
        while await self.start_due():
            await asyncio.wait(set(self._in_flight))
        if self._in_flight:
            await asyncio.wait(set(self._in_flight))
        return self._sent - before

    async def start_due(self) -> bool:
        """Claim what is due, as much as there is room in flight for, and start sending it.
        True when it claimed something (more may be due)."""
        room = self.batch - len(self._in_flight)
        if room <= 0:
            return False
        now = self.clock()
        # a row being sent holds, in next_attempt_at, when its claim's lease runs out
        due = or_(
            and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now))
        # a chat that already has a few on their way (about one a second) waits with the rest
        # of its messages in the table, in order, rather than filling the room in flight
        full = [chat_id for (channel, chat_id, _), count in self._per_chat.items()
                if count >= PER_CHAT_IN_FLIGHT and channel == "telegram"]
        if full:  # pages (and e-mails, which have no chat) are never held back
            due = and_(due, or_(OutboxMessage.chat_id.is_(None),
                                OutboxMessage.chat_id.not_in(full),
                                OutboxMessage.alert_id.is_not(None)))
        async with self.db.sessions() as session:  # a read first: no write lock when idle
            if await session.scalar(select(OutboxMessage.id).where(due).limit(1)) is None:
                self._left_behind = bool(full)  # only a busy chat's rows, if any
                return False
        async with self.db.transaction() as session:
            rows = await claim(session, OutboxMessage, due=due, order_by=ALERTS_FIRST,
                               limit=room, now=now, claimed_status="sending")
            for row in rows:
                row.next_attempt_at = now + LEASE  # ours until then, unless renewed
        # rows may be left behind for want of room, or for a busy chat: look again when a
        # send ends (otherwise the next commit or tick says when)
        self._left_behind = len(rows) == room or bool(full)
        for row in rows:
            self._start(row)
        return bool(rows)

    async def renew_leases(self) -> int:
        """Push back the lease on every row this sender holds (claimed, not yet settled), so
        no one takes them up while we are alive; returns how many were renewed."""
        held: dict[str, list[int]] = {}
        for row_id, token in self._held.items():
            held.setdefault(token, []).append(row_id)
        if not held:
            return 0
        until = self.clock() + LEASE
        renewed = 0
        async with self.db.transaction() as session:
            for token, ids in held.items():
                result = await session.execute(
                    update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                OutboxMessage.claim_token == token,
                                                OutboxMessage.status == "sending")
                    .values(next_attempt_at=until).execution_options(synchronize_session=False))
                renewed += result.rowcount or 0
        return renewed

    async def _heartbeat(self) -> None:
        """While anything is held: renew the leases every RENEW_EVERY seconds."""
        while self._held:
            await asyncio.sleep(RENEW_EVERY)
            try:
                await self.renew_leases()
            except Exception as error:  # the database away: the next beat tries again
                log.warning("outbox lease not renewed", extra={"error_type": type(error).__name__})

    def _start(self, row: OutboxMessage) -> None:
        self._waiting[row.id] = row
        self._held[row.id] = row.claim_token or ""
        if self._beating is None or self._beating.done():
            self._beating = asyncio.create_task(self._heartbeat())
        chat = (row.channel, row.chat_id, row.address)
        # a chat's messages leave in order, but about an alert they form a line of their own:
        # a page never waits for a chat's ordinary messages (a worker's check-in relays)
        line = (*chat, row.alert_id is not None)
        task = asyncio.create_task(self._deliver_in_turn(row, self._last_in_line.get(line)))
        self._last_in_line[line] = task
        self._per_chat[chat] += 1
        self._in_flight.add(task)
        task.add_done_callback(lambda done: self._finished(row.id, chat, line, done))

    def _finished(self, row_id: int, chat: tuple, line: tuple, task: asyncio.Task[int]) -> None:
        self._in_flight.discard(task)
        self._held.pop(row_id, None)
        if not task.cancelled():
            self._waiting.pop(row_id, None)  # ended before reaching the transport (e.g. no transport)
        if self._last_in_line.get(line) is task:
            del self._last_in_line[line]
        self._per_chat[chat] -= 1
        if not self._per_chat[chat]:
            del self._per_chat[chat]
        if self._left_behind:
            self.kick()  # room in flight again
        if task.cancelled():
            return
        if task.exception() is not None:  # e.g. the database was away when saving the outcome
            log.error("outbox delivery not recorded; sent again once its lease runs out",
                      extra={"error_type": type(task.exception()).__name__})
            return
        self._sent += task.result()

    async def _deliver_in_turn(self, row: OutboxMessage, before: asyncio.Task | None) -> int:
        if before is not None:
            await asyncio.wait({before})  # the chat's earlier message first, however it ended
        return await self._deliver(row)

    async def _deliver(self, row: OutboxMessage) -> int:
        transport = self.transports.get(row.channel)
        outcome: dict = {}
        try:
            if transport is None:
                raise Undeliverable(f"no transport for {row.channel}")
            if row.drawing is not None:  # drawn before taking a slot: it takes a moment
                row.photo = await revive(row.drawing).draw()
                row.drawing = None  # this copy of the row only; the stored one is cleared once sent
            if row.channel == "telegram":
                wait = self.chats.wait_for(row.chat_id) if row.chat_id is not None else 0.0
                if wait > 0:
                    await asyncio.sleep(wait)
                await self.limiter.acquire(urgent=row.alert_id is not None)
            async with self._gate:  # a slot under the cap first, so a page waits for nobody here
                self._waiting.pop(row.id, None)  # from here it may reach the far side
                remote_id = await transport.send(row)
            outcome = {"status": "sent", "sent_at": self.clock(), "telegram_message_id": remote_id}
        except RetryLater as wait:
            outcome = {"status": "pending",
                       "next_attempt_at": self.clock() + timedelta(seconds=wait.seconds),
                       "last_error": "retry_after"}
        except Undeliverable as error:
            outcome = {"status": "failed", "last_error": str(error)[:200]}
        except Exception as error:  # network trouble, 5xx: back off and try again
            attempts = row.attempts + 1
            gave_up = row.alert_id is None and attempts >= GIVE_UP_AFTER
            outcome = {"status": "failed" if gave_up else "pending",
                       "next_attempt_at": self.clock() + timedelta(seconds=backoff(attempts)),
                       "last_error": type(error).__name__}
            log.warning("outbox delivery failed", extra={"outbox_id": row.id,
                                                         "error_type": type(error).__name__})
        async with self.db.transaction() as session:
            stored = await session.get(OutboxMessage, row.id)
            if stored is None or stored.claim_token != row.claim_token:
                return 0
            stored.attempts += 1
            for key, value in outcome.items():
                setattr(stored, key, value)
            if stored.alert_id is not None and stored.status in ("sent", "failed"):
                for settled in self.on_settled:
                    await settled(session, stored, self.clock())
            if stored.status == "sent":  # delivered: nothing to keep (alerts keep their own)
                stored.text, stored.photo, stored.drawing = "", None, None
        return 1 if outcome.get("status") == "sent" else 0

    async def run(self, stop: asyncio.Event, idle: float = 1.0, *, finish: float = 4.0) -> None:
        """Deliver until `stop` is set, waking on `kick()` or every `idle` seconds. On stop,
        what is in flight gets `finish` seconds; a row cut off is claimed again once its lease
        runs out (seconds, since nothing renews it)."""
        try:
            while not stop.is_set():
                self._kick.clear()
                try:
                    while await self.start_due():
                        pass
                except Exception:
                    log.exception("outbox sender failed; retrying")
                waiter = asyncio.ensure_future(self._kick.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait({waiter, stopper}, timeout=idle,
                                   return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                stopper.cancel()
        finally:
            await self._stop_in_flight(finish)

    async def _stop_in_flight(self, finish: float) -> None:
        """Let what is in flight finish; what is still waiting for its turn goes back to the
        queue at once (not after its lease), so a restart does not hold a page back."""
        if not self._in_flight:
            await self._stop_heartbeat()
            return
        _, late = await asyncio.wait(set(self._in_flight), timeout=finish)
        for task in late:
            task.cancel()
        await self._stop_heartbeat()
        if not late:
            return
        await asyncio.wait(late)
        unsent = [(row.id, row.claim_token) for row in self._waiting.values()]
        self._waiting.clear()
        if not unsent:
            return
        try:
            async with self.db.transaction() as session:
                for row_id, token in unsent:
                    await session.execute(
                        update(OutboxMessage).where(OutboxMessage.id == row_id,
                                                    OutboxMessage.claim_token == token,
                                                    OutboxMessage.status == "sending")
                        .values(status="pending", claim_token=None,
                                next_attempt_at=self.clock()))
        except Exception as error:  # taken up again once their lease runs out: never lost
            log.warning("outbox rows not handed back", extra={"error_type": type(error).__name__})

    async def _stop_heartbeat(self) -> None:
        if self._beating is not None and not self._beating.done():
            self._beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beating
        self._beating = None
