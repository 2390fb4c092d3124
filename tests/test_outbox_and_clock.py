"""The outbox delivers every message despite Telegram's 429s, 500s and timeouts; the clock runs
each due job once, even across restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Job, OutboxMessage
from bot.time.claims import LEASE, RENEW_EVERY, claim
from bot.time.clock import Clock, schedule
from bot.time.outbox import OutboxSender, RetryLater, enqueue
from bot.time.pacing import ChatPacer
from flows.base import Button


class FlakyTransport:
    """Fails in scripted ways, then delivers."""

    def __init__(self, script: list[Exception | None]):
        self.script = list(script)
        self.delivered: list[str] = []

    async def send(self, message):
        if self.script:
            problem = self.script.pop(0)
            if problem is not None:
                raise problem
        self.delivered.append(message.text)
        return len(self.delivered)


async def test_a_queued_message_survives_429_and_errors_and_is_sent_once(db, clock):
    async with db.transaction() as session:
        await enqueue(session, chat_id=1, text="alert!", now=clock(), dedupe_key="a1",
                      buttons=((Button("Acknowledge", "al:ack:1"),),))
        await enqueue(session, chat_id=1, text="alert!", now=clock(), dedupe_key="a1")
    transport = FlakyTransport([RetryLater(3), ConnectionError("down"), None])
    sender = OutboxSender(db, {"telegram": transport}, clock)

    assert await sender.deliver_due() == 0  # 429: wait 3 s
    clock.advance(seconds=2)
    assert await sender.deliver_due() == 0  # not yet due
    clock.advance(seconds=1)
    assert await sender.deliver_due() == 0  # connection error: back off
    clock.advance(seconds=10)
    assert await sender.deliver_due() == 1
    clock.advance(seconds=60)
    assert await sender.deliver_due() == 0
    assert transport.delivered == ["alert!"]
    async with db.transaction() as session:
        row = await session.scalar(select(OutboxMessage))
    assert (row.status, row.attempts, row.telegram_message_id) == ("sent", 3, 1)


class HangingTransport:
    """A process that claimed a message and died while sending it: the send never ends."""

    def __init__(self):
        self.started = asyncio.Event()

    async def send(self, message):
        self.started.set()
        await asyncio.Event().wait()


async def _claimed_by_a_dying_sender(db, clock):
    """A sender claims the message and is cut off mid-send, as by kill -9: nothing it does
    afterwards (no hand-back, no heartbeat) reaches the database."""
    dying = OutboxSender(db, {"telegram": HangingTransport()}, clock)
    assert await dying.start_due()
    await dying.transports["telegram"].started.wait()
    for task in list(dying._in_flight) + [dying._beating]:
        task.cancel()
    await asyncio.gather(*dying._in_flight, dying._beating, return_exceptions=True)


async def test_a_page_claimed_by_a_process_that_died_is_sent_again_within_seconds(db, clock):
    async with db.transaction() as session:
        await enqueue(session, chat_id=1, text="alert!", now=clock())
    await _claimed_by_a_dying_sender(db, clock)
    transport = FlakyTransport([])
    restarted = OutboxSender(db, {"telegram": transport}, clock)
    assert await restarted.deliver_due() == 0  # the lease still holds: not sent twice at once
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert await restarted.deliver_due() == 0
    clock.advance(seconds=1)  # seconds after the process died, not minutes
    assert await restarted.deliver_due() == 1
    assert transport.delivered == ["alert!"]
    async with db.transaction() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row.status == "sent"


async def test_a_live_sender_keeps_its_claim_by_renewing_the_lease(db, clock):
    """A slow send by a live sender is not taken up by another: its heartbeat renews the lease;
    once the heartbeat stops (the process died), the claim lapses a lease later."""
    async with db.transaction() as session:
        await enqueue(session, chat_id=1, text="alert!", now=clock())
    slow = HangingTransport()
    alive = OutboxSender(db, {"telegram": slow}, clock)
    assert await alive.start_due()
    await slow.started.wait()
    other = OutboxSender(db, {"telegram": FlakyTransport([])}, clock)
    for _ in range(5):  # 5 leases' worth of time, renewed every RENEW_EVERY
        clock.advance(seconds=RENEW_EVERY)
        assert await alive.renew_leases() == 1
        assert await other.deliver_due() == 0
    for task in list(alive._in_flight) + [alive._beating]:  # now it dies
        task.cancel()
    await asyncio.gather(*alive._in_flight, alive._beating, return_exceptions=True)
    clock.advance(seconds=LEASE.total_seconds())
    assert await other.deliver_due() == 1


async def test_the_heartbeat_renews_leases_on_its_own_while_sending(db, clock, monkeypatch):
    monkeypatch.setattr("bot.time.outbox.RENEW_EVERY", 0.01)
    async with db.transaction() as session:
        await enqueue(session, chat_id=1, text="alert!", now=clock())
    slow = HangingTransport()
    alive = OutboxSender(db, {"telegram": slow}, clock)
    assert await alive.start_due()
    await slow.started.wait()
    clock.advance(seconds=60)
    async with asyncio.timeout(5):
        while True:  # the heartbeat, not the test, moves the lease on
            async with db.sessions() as session:
                row = await session.scalar(select(OutboxMessage))
            if row.next_attempt_at > clock():
                break
            await asyncio.sleep(0.01)
    assert await OutboxSender(db, {"telegram": FlakyTransport([])}, clock).deliver_due() == 0
    await alive._stop_in_flight(0.01)
    assert alive._beating is None


async def test_due_jobs_run_once_and_future_ones_wait(db, clock):
    ran: list[str] = []

    async def remember(session, job, now):
        ran.append(job.payload["name"])

    async with db.transaction() as session:
        await schedule(session, "note", clock(), payload={"name": "now"})
        await schedule(session, "note", clock() + timedelta(hours=1), payload={"name": "later"},
                       dedupe_key="later")
        await schedule(session, "note", clock() + timedelta(hours=1), payload={"name": "dup"},
                       dedupe_key="later")
    first, second = Clock(db, clock), Clock(db, clock)
    for c in (first, second):
        c.register("note", remember)
    assert await first.tick() == 1
    assert await second.tick() == 0
    clock.advance(hours=1)
    assert await second.tick() == 1
    assert ran == ["now", "later"]


async def test_a_failing_job_is_retried_not_lost(db, clock):
    attempts = []

    async def flaky(session, job, now):
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("boom")

    async with db.transaction() as session:
        await schedule(session, "flaky", clock())
    ticker = Clock(db, clock)
    ticker.register("flaky", flaky)
    assert await ticker.tick() == 0
    clock.advance(seconds=31)
    assert await ticker.tick() == 1
    async with db.transaction() as session:
        assert (await session.scalar(select(Job))).status == "done"


async def test_jobs_claimed_by_a_clock_that_died_run_within_seconds(db, clock):
    """Issue 17, item 4 for the clock: an escalation job claimed by a clock process that was
    killed comes back a lease later, not after minutes."""
    ran: list[int] = []

    async def escalate(session, job, now):
        ran.append(job.id)

    async with db.transaction() as session:
        await schedule(session, "escalate", clock())
        await claim(session, Job, due=Job.status == "pending", order_by=Job.due_at, limit=10,
                    now=clock(), claimed_status="claimed")  # ... and then the process died
    restarted = Clock(db, clock)
    restarted.register("escalate", escalate)
    assert await restarted.tick() == 0  # the lease holds: never run twice at once
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert await restarted.tick() == 0
    clock.advance(seconds=1)
    assert await restarted.tick() == 1
    assert len(ran) == 1


async def test_a_clock_working_through_a_batch_renews_its_lease_on_the_rest(db, clock,
                                                                            monkeypatch):
    """Each job takes a lease's worth of time here: the jobs still waiting in the batch stay
    claimed by the living clock, so another clock looking in between takes none of them."""
    monkeypatch.setattr("bot.time.clock.RENEW_EVERY", 0)
    seen_by_other: list[int] = []

    async def slow(session, job, now):
        clock.advance(seconds=LEASE.total_seconds() + 1)

    async with db.transaction() as session:
        for _ in range(3):
            await schedule(session, "slow", clock())
    alive, other = Clock(db, clock), Clock(db, clock)
    alive.register("slow", slow)
    other.register("slow", lambda session, job, now: seen_by_other.append(job.id))
    original = alive._run

    async def look_then_run(job):
        async with db.sessions() as session:  # what another clock could claim just now
            stale = await session.scalar(select(Job.id).where(
                Job.status == "claimed", Job.claimed_at <= clock() - LEASE).limit(1))
        seen_by_other.extend([stale] if stale else [])
        return await original(job)

    alive._run = look_then_run
    assert await alive.tick() == 3
    assert seen_by_other == []


async def test_stopping_the_clock_lets_a_running_job_finish_instead_of_cutting_it_off(db, clock):
    started, finished = asyncio.Event(), []

    async def slow(session, job, now):
        started.set()
        await asyncio.sleep(0.3)
        finished.append(job.id)

    async with db.transaction() as session:
        await schedule(session, "slow", clock())
    ticker = Clock(db, clock)
    ticker.register("slow", slow)
    ticker.start(0.05)
    await asyncio.wait_for(started.wait(), 5)
    await ticker.stop()
    assert len(finished) == 1
    async with db.transaction() as session:
        assert (await session.scalar(select(Job))).status == "done"


async def an_alert(db) -> int:
    from bot.db.models import Alert, Person

    async with db.transaction() as session:
        person = Person(role="young_person", pseudonym="YP-TEST2")
        session.add(person)
        await session.flush()
        alert = Alert(person_id=person.id, severity=4)
        session.add(alert)
        await session.flush()
        return alert.id


async def test_an_alert_page_jumps_a_backlog_of_other_messages(db, clock):
    alert_id = await an_alert(db)
    async with db.transaction() as session:
        for n in range(60):
            await enqueue(session, chat_id=100 + n, text=f"check-in {n}", now=clock())
        await enqueue(session, chat_id=1, text="page", now=clock(), alert_id=alert_id)
    transport = FlakyTransport([])
    sender = OutboxSender(db, {"telegram": transport}, clock, batch=10)
    await sender.deliver_due()
    assert transport.delivered[0] == "page"
    assert transport.delivered[1:] == [f"check-in {n}" for n in range(60)]


class SlowTransport:
    """Telegram answering in a couple of milliseconds, as over a network."""

    def __init__(self):
        self.delivered: list[str] = []

    async def send(self, message):
        await asyncio.sleep(0.002)
        self.delivered.append(message.text)
        return len(self.delivered)


async def queue_while_sending(db, sender, transport, *, after: int, late: dict,
                              total: int) -> int:
    """Run the sender; once `after` messages have gone, queue `late` (enqueue's arguments) as
    a commit would, and wait for all `total`. Returns how many had gone when it was queued."""
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop, idle=0.05))
    async with asyncio.timeout(30):
        while len(transport.delivered) < after:
            await asyncio.sleep(0.001)
        async with db.transaction() as session:
            await enqueue(session, **late)
        queued_after = len(transport.delivered)
        sender.kick()  # as committing does
        while len(transport.delivered) < total:
            await asyncio.sleep(0.005)
    stop.set()
    await running
    return queued_after


async def test_a_page_queued_while_a_backlog_is_on_its_way_goes_next(db, clock):
    """Claiming does not wait for a batch to leave, and the page takes the next free slot
    under the cap: it does not queue behind the 50 check-ins already claimed."""
    alert_id = await an_alert(db)
    async with db.transaction() as session:
        for n in range(80):
            await enqueue(session, chat_id=100 + n, text=f"check-in {n}", now=clock())
    transport = SlowTransport()
    # a cap of about 50 a second, not Telegram's 30: each slot is 20 ms, so the moments a busy
    # machine takes to claim the page cost a slot or two, not ten (the bound below is in slots)
    sender = OutboxSender(db, {"telegram": transport}, clock, rate=50 * 0.95)
    queued_after = await queue_while_sending(
        db, sender, transport, after=5, total=81,
        late={"chat_id": 1, "text": "page", "now": clock(), "alert_id": alert_id})
    # ahead of it at most the sends already under way (`parallel`) and one slot
    assert transport.delivered.index("page") - queued_after <= sender.parallel + 1
    assert sorted(transport.delivered) == sorted(["page"] + [f"check-in {n}" for n in range(80)])


async def test_a_page_does_not_wait_for_the_ordinary_messages_queued_for_its_chat(db, clock):
    """The duty worker's chat takes about one message a second. A page about danger goes out
    at the chat's next free moment, ahead of ordinary messages queued for that chat."""
    alert_id = await an_alert(db)
    async with db.transaction() as session:
        for n in range(12):
            await enqueue(session, chat_id=1, text=f"relay {n}", now=clock())
    transport = SlowTransport()
    sender = OutboxSender(db, {"telegram": transport}, clock)
    # one every 100 ms, to keep the test short yet leave a busy machine time to claim the page
    sender.chats = ChatPacer(rate=10 / 0.95, burst=1)
    queued_after = await queue_while_sending(
        db, sender, transport, after=2, total=13,
        late={"chat_id": 1, "text": "page", "now": clock(), "alert_id": alert_id})
    assert transport.delivered.index("page") - queued_after <= 1  # the one already on its way
    assert [t for t in transport.delivered if t != "page"] == [f"relay {n}" for n in range(12)]


async def test_an_email_does_not_wait_for_a_busy_chat(db, clock):
    """A chat with messages on their way waits for them in the table; an e-mail has no chat."""
    async with db.transaction() as session:
        for n in range(12):
            await enqueue(session, chat_id=1, text=f"relay {n}", now=clock())
    transport = SlowTransport()
    sender = OutboxSender(db, {"telegram": transport, "email": transport}, clock)
    sender.chats = ChatPacer(rate=10 / 0.95, burst=1)
    queued_after = await queue_while_sending(
        db, sender, transport, after=2, total=13,
        late={"address": "duty@example.org", "text": "e-mail", "now": clock()})
    assert transport.delivered.index("e-mail") - queued_after <= 1


async def test_a_stopping_sender_hands_back_at_once_what_it_had_not_sent(db, clock):
    """A clock restarting must not hold a page back for the two minutes a claim takes to count
    as stuck: what was still waiting for its turn goes back to the queue as it stops."""
    async with db.transaction() as session:
        for n in range(6):  # one chat: three at once, then one a second
            await enqueue(session, chat_id=1, text=f"message {n}", now=clock())
    transport = SlowTransport()
    sender = OutboxSender(db, {"telegram": transport}, clock)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop, idle=0.05, finish=0.1))
    async with asyncio.timeout(10):
        while len(transport.delivered) < 3:
            await asyncio.sleep(0.005)
    stop.set()
    await running
    assert transport.delivered == ["message 0", "message 1", "message 2"]
    async with db.transaction() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [(r.status, r.claim_token) for r in rows[3:]] == [("pending", None)] * 3

    restarted = OutboxSender(db, {"telegram": transport}, clock)  # the clock has not moved
    assert await restarted.deliver_due() == 3
    assert transport.delivered == [f"message {n}" for n in range(6)]
