"""Load test: simulated young people through the fake Bot API, in webhook mode, and a table.

Each configuration (database x web processes x young people) starts, on 127.0.0.1 only:
the fake Telegram server (in this process, delivering updates to the webhook up to 100 at a
time, one chat at a time, as Telegram does), N `rise-bot webhook` processes sharing one port
(SO_REUSEPORT), one `rise-bot clock` process (jobs + the only outbox sender), on a fresh SQLite
file or a fresh PostgreSQL database. Then:

  paced   young people tap through menus and modules at --rate updates/s for --seconds; on
          top, --danger-rate times a second someone who has not sent one yet sends a danger
          message, which pages the on-duty worker through the outbox (escalation latency =
          danger message created -> the duty worker's page recorded by the fake server). All
          pages go to one chat, and Telegram allows about one message a second to one chat.
          Each alert brings up to three messages there (the page, the young person's answer
          to "Are you somewhere safe?", and on "No" the next level's page), so the default
          rate (0.3/s, some 1,000 alerts an hour) keeps that chat under the cap. Above it
          (--danger-rate 0.5) the chat's messages must queue at Telegram's pace
  max     as many people at once as --concurrency allows, for --seconds: sustained updates/s
  (then)  wait up to 60 s for every danger message's page: one that never came is lost, one
          that came late is only slow
  backlog (first configuration per database) --backlog messages queued at once in the outbox:
          the rate they leave at, and the most sent in any one-second window (cap 30)

Latency of an update = the fake creating it -> our webhook answering 200, which we do only
after the update is saved and its replies are sent. Lost = an update never answered 200, or a
danger message that paged nobody; duplicated = an update answered twice, or a page sent twice.

    .venv/bin/python bench/load.py                       # the default table, about 15 minutes
    .venv/bin/python bench/load.py --people 100,1000,5000 --web 1,2 --db sqlite,postgres
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import psutil
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db.crypto import keyring  # noqa: E402
from bot.db.engine import Database  # noqa: E402
from bot.db.migrate import upgrade_async  # noqa: E402
from bot.db.models import Conversation, Person, Role  # noqa: E402
from bot.sandbox.fake_telegram import FakeTelegram  # noqa: E402
from bot.time.outbox import enqueue  # noqa: E402

PG_ADMIN = os.environ.get("RISE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
BENCH_DB = "rise_bench"
SECRET = "bench-webhook-secret-0123456789"
DUTY = 9_000_001
BENCH_KEY = "cmlzZS1iZW5jaC1vbmx5LWtleS1ub3QtYS1zZWNyZXQ="  # "rise-bench-only-key-not-a-secret"
keyring.configure(BENCH_KEY)  # the seeded people's nicknames are encrypted, as in production
FIRST_YP = 1_000_000
DANGER = "he's outside my house"
BIN = Path(sys.executable).parent / "rise-bot"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class BenchTelegram(FakeTelegram):
    """The fake server, noting when each update was created and when the webhook answered."""

    def __init__(self) -> None:
        super().__init__(token="123456:TESTTESTTESTTEST")
        self.created: dict[int, float] = {}
        self.answered: dict[int, list[float]] = {}
        self.on_answer = None

    def push_update(self, kind, payload):  # type: ignore[override]
        update_id = super().push_update(kind, payload)
        self.created[update_id] = time.time()
        return update_id

    async def _post_update(self, update):  # type: ignore[override]
        await super()._post_update(update)
        if self.webhook_status.get(update["update_id"]) == 200:
            self.answered.setdefault(update["update_id"], []).append(time.time())
        if self.on_answer:
            self.on_answer(update)

    def _changed(self) -> None:  # nobody long-polls the demo page here: skip the wake-ups
        self.version += 1


@dataclass
class Result:
    config: str
    phase: str
    updates: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    escalations: list[float] = field(default_factory=list)
    sent: int = 0
    errors: int = 0
    lost: int = 0
    duplicated: int = 0
    rss_mb: float = 0.0
    web_cpu: float = 0.0  # CPU seconds the web processes used in the phase
    loop_s: float = 0.0  # how fast the machine was just before (see machine_speed)
    note: str = ""
    danger: dict[int, float] = field(default_factory=dict)  # user -> danger message sent at


# --- set-up -----------------------------------------------------------------------------------


async def fresh_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        await connection.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    await admin.dispose()
    return make_url(PG_ADMIN).set(database=BENCH_DB).render_as_string(hide_password=False)


async def seed(url: str, people: int) -> dict[str, int]:
    """Young people who have joined (privacy read, nickname, age band) and one duty worker."""
    await upgrade_async(url)
    db = Database(url)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        await session.execute(insert(Person), [
            {"telegram_id": FIRST_YP + i, "role": Role.YOUNG_PERSON, "pseudonym": f"YP-{i:05d}",
             "nickname": "Sky", "age_band": "14-17", "privacy_accepted_at": now,
             "created_at": now, "active": True, "on_duty_list": False, "on_duty": False}
            for i in range(people)])
        await session.execute(insert(Person).values(
            telegram_id=DUTY, role=Role.DUTY_WORKER, pseudonym="W-duty", display_name="Dee",
            on_duty=True, on_duty_list=True, active=True, created_at=now))
        ids = dict((await session.execute(text("SELECT pseudonym, telegram_id FROM people"))).all())
        rows = (await session.execute(text("SELECT id FROM people WHERE role = 'young_person'"))).all()
        await session.execute(insert(Conversation), [
            {"person_id": r[0], "flow": "menu", "state": "", "context": {}, "updated_at": now}
            for r in rows])
    await db.dispose()
    return ids


class Processes:
    def __init__(self, url: str, server: FakeTelegram, web: int, workdir: Path):
        self.url, self.server, self.web, self.workdir = url, server, web, workdir
        self.port = free_port()
        self.procs: list[subprocess.Popen] = []
        self.web_procs: list[psutil.Process] = []
        self.peak_rss = 0.0

    def env(self) -> dict[str, str]:
        return {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TESTTESTTESTTEST",
                "TELEGRAM_BASE_URL": self.server.base_url, "DATABASE_URL": self.url,
                "WEBHOOK_URL": f"http://127.0.0.1:{self.port}", "WEBHOOK_SECRET": SECRET,
                "LOG_LEVEL": "WARNING", "ENCRYPTION_KEYS": BENCH_KEY}

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "w")  # noqa: SIM115
        proc = subprocess.Popen([str(BIN), *args], env=self.env(), cwd=self.workdir,
                                stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    async def start(self) -> None:
        self._spawn(["clock"], "clock")
        for n in range(self.web):
            extra = [] if n == 0 else ["--no-set-webhook"]
            proc = self._spawn(["webhook", "--reuse-port", "--port", str(self.port), *extra],
                               f"web{n}")
            self.web_procs.append(psutil.Process(proc.pid))
        deadline = time.monotonic() + 60
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as resp:
                        if resp.status == 200 and self.server.webhook.url:
                            return
                if any(p.poll() is not None for p in self.procs):
                    break
                await asyncio.sleep(0.2)
        raise RuntimeError(f"processes did not come up; see logs in {self.workdir}")

    def sample_rss(self) -> None:
        total = 0.0
        for proc in self.web_procs:
            with contextlib.suppress(psutil.Error):
                total = max(total, proc.memory_info().rss / 2**20)
        self.peak_rss = max(self.peak_rss, total)

    def cpu_seconds(self) -> float:
        """CPU time used so far by all web processes (user + system): the cost of an update,
        apart from how busy the machine was."""
        total = 0.0
        for proc in self.web_procs:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
        return total

    def errors_logged(self) -> int:
        return sum(p.read_text(errors="replace").count(" ERROR ") + p.read_text(
            errors="replace").count("Traceback") for p in self.workdir.glob("*.log"))

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


# --- driving ----------------------------------------------------------------------------------


class Crowd:
    """Young people who each wait for the bot's answer before their next tap, like people do."""

    def __init__(self, server: BenchTelegram, people: int, seed: int = 7):
        self.server = server
        self.free = list(range(FIRST_YP, FIRST_YP + people))
        self.busy: dict[int, int] = {}  # update_id -> user
        self.rng = random.Random(seed)
        self.danger_sent: dict[int, float] = {}  # user -> time
        self.danger_update: dict[int, int] = {}  # user -> its update id
        self.untouched = set(self.free)
        self.wakeup = asyncio.Event()
        server.on_answer = self._answered

    def _answered(self, update: dict) -> None:
        user = self.busy.pop(update["update_id"], None)
        if user is not None:
            self.free.append(user)
            self.wakeup.set()

    def act(self, danger: bool = False) -> bool:
        """One free person's next tap; with `danger`, someone who has not yet sent the danger
        message sends it instead."""
        if not self.free:
            return False
        user = self.free.pop(self.rng.randrange(len(self.free)))
        if danger and user in self.danger_sent:
            fresh = [u for u in self.free if u not in self.danger_sent]
            if fresh:
                self.free.append(user)
                user = fresh[self.rng.randrange(len(fresh))]
                self.free.remove(user)
        if danger and user not in self.danger_sent:
            update_id = self.server.send_text(user, DANGER)
            self.danger_sent[user] = time.time()
            self.danger_update[user] = update_id
        elif user in self.untouched:
            self.untouched.discard(user)
            update_id = self.server.send_text(user, "/menu")
        else:
            message = self.server.last_bot_message(user)
            labels = [label for row in (message.buttons if message else []) for label, _ in row]
            # taps that ask for a person (I need a worker now, Tell my worker...) page or flag
            # for real: they would flood the one duty chat and muddle the escalation figures
            labels = [label for label in labels
                      if "Help" not in label and "worker" not in label] or labels
            if labels and all("worker" not in label for label in labels):
                update_id = self.server.press(user, self.rng.choice(labels))
            else:
                update_id = self.server.send_text(user, "/menu")
        self.busy[update_id] = user
        return True


async def run_phase(server: BenchTelegram, crowd: Crowd, procs: Processes, *, config: str,
                    phase: str, seconds: float, rate: float | None, concurrency: int,
                    danger_rate: float) -> Result:
    first_update = len(server.updates)
    first_call = len(server.calls)
    danger_before = set(crowd.danger_sent)
    cpu_before = procs.cpu_seconds()
    started = time.time()
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    sent_count = dangers = 0
    while loop.time() - t0 < seconds:
        danger_due = int((loop.time() - t0) * danger_rate) > dangers
        if danger_due and crowd.act(danger=True):
            dangers += 1
            sent_count += 1
        if rate:  # open loop, paced
            due = int((loop.time() - t0) * rate) - sent_count
            for _ in range(due):
                if crowd.act():
                    sent_count += 1
            await asyncio.sleep(0.005)
        else:  # closed loop: keep `concurrency` people waiting on the bot
            while len(crowd.busy) < concurrency and crowd.act():
                sent_count += 1
            crowd.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(crowd.wakeup.wait(), 0.05)
        procs.sample_rss()
    window = time.time() - started
    cpu_in_window = procs.cpu_seconds() - cpu_before
    drain_deadline = loop.time() + 30
    while crowd.busy and loop.time() < drain_deadline:
        await asyncio.sleep(0.05)
        procs.sample_rss()
    updates = server.updates[first_update:]
    ids = [u["update_id"] for u in updates]
    answered_in_window = [i for i in ids if server.answered.get(i)
                          and server.answered[i][0] <= started + window]
    result = Result(config, phase, seconds=window)
    result.updates = len(answered_in_window)
    result.web_cpu = cpu_in_window
    result.latencies = [(server.answered[i][0] - server.created[i]) * 1000 for i in ids
                        if server.answered.get(i)]
    result.lost = sum(1 for i in ids if not server.answered.get(i))
    result.duplicated = sum(len(server.answered.get(i, [])) - 1 for i in ids
                            if len(server.answered.get(i, [])) > 1)
    calls = server.calls[first_call:]
    result.sent = sum(1 for c in calls if c.method.lower().startswith("send")
                      and c.time <= started + window)
    result.errors = sum(1 for c in calls if c.status is not None and c.status >= 400)
    in_phase = set(ids)
    result.errors += sum(1 for u, s in server.webhook_deliveries if u in in_phase and s != 200)
    sorry = sum(1 for c in calls if c.method.lower() == "sendmessage"
                and str(c.params.get("text", "")).startswith("Sorry"))
    result.errors += sorry
    result.danger = {u: t for u, t in crowd.danger_sent.items() if u not in danger_before}
    result.rss_mb = procs.peak_rss
    return result


async def settle_pages(server: BenchTelegram, crowd: Crowd, results: list[Result],
                       first_call: int, timeout: float = 60) -> None:
    """Wait (up to `timeout`) until every danger message has paged the duty worker, then give
    each phase its escalation latencies; a page that never came is lost, not just late."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline and len(_first_pages(server, first_call)) < len(crowd.danger_sent):
        await asyncio.sleep(0.1)
    first_page = _first_pages(server, first_call)
    for result in results:
        for user, at in result.danger.items():
            pseudonym = f"YP-{user - FIRST_YP:05d}"
            if pseudonym in first_page:
                result.escalations.append((first_page[pseudonym] - at) * 1000)
            else:
                result.lost += 1
    by_text = Counter(text for text, _ in _pages(server, first_call))  # the very same page twice
    if results:
        results[-1].duplicated += sum(n - 1 for n in by_text.values() if n > 1)
    if os.environ.get("BENCH_DEBUG"):
        for result in results:  # where each escalation's time went
            for user, at in result.danger.items():
                update_id = crowd.danger_update[user]
                answered = server.answered.get(update_id, [float("nan")])[0]
                paged = first_page.get(f"YP-{user - FIRST_YP:05d}", float("nan"))
                print(f"  {result.config} {result.phase}: danger handled in "
                      f"{(answered - at) * 1000:.0f} ms, paged {(paged - answered) * 1000:.0f} ms "
                      "after", file=sys.stderr)
        to_duty = Counter(str(c.params.get("text", "")).split("\n", 1)[0][:40]
                          for c in server.calls[first_call:]
                          if str(c.params.get("chat_id")) == str(DUTY))
        print("  to the duty worker:", dict(to_duty.most_common(8)), file=sys.stderr)
        for line, n in by_text.items():
            if n > 1:
                print("  page sent", n, "times:", line.split("\n", 1)[0], file=sys.stderr)


def _first_pages(server: BenchTelegram, first_call: int) -> dict[str, float]:
    """Pseudonym -> when the duty worker's first page about them reached Telegram."""
    first: dict[str, float] = {}
    for line, at in _pages(server, first_call):
        first.setdefault(line.split("\n", 1)[0].rsplit("–", 1)[1].strip(), at)
    return first


def _pages(server: FakeTelegram, first_call: int) -> list[tuple[str, float]]:
    pages = []
    for call in server.calls[first_call:]:
        if call.method.lower() != "sendmessage" or str(call.params.get("chat_id")) != str(DUTY):
            continue
        whole = str(call.params.get("text", ""))
        line = whole.split("\n", 1)[0]
        if "alert #" in line and "–" in line and (call.status or 200) < 400:
            pages.append((whole, call.time))
    return pages


async def run_backlog(server: BenchTelegram, url: str, messages: int, config: str) -> Result:
    """Queue `messages` outbox rows at once; the clock's sender drains them at the cap."""
    first_call = len(server.calls)
    db = Database(url)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        for i in range(messages):
            await enqueue(session, text=f"Bench notice {i}", now=now, chat_id=FIRST_YP + i % 50)
    await db.dispose()
    t0 = time.time()
    deadline = asyncio.get_running_loop().time() + messages / 20 + 20
    while asyncio.get_running_loop().time() < deadline:
        done = [c for c in server.calls[first_call:] if str(c.params.get("text", "")).startswith(
            "Bench notice")]
        if len(done) >= messages:
            break
        await asyncio.sleep(0.1)
    times = sorted(c.time for c in done)
    peak = max((sum(1 for u in times if t <= u < t + 1.0) for t in times), default=0)
    result = Result(config, "backlog", updates=0, seconds=(times[-1] - t0) if times else 0)
    result.sent = len(times)
    result.lost = messages - len({c.params.get("text") for c in done})
    result.duplicated = len(done) - len({c.params.get("text") for c in done})
    result.note = f"{len(times) / max(times[-1] - times[0], 1e-9):.1f}/s, max {peak} in 1 s" \
        if len(times) > 1 else ""
    return result


def machine_speed() -> float:
    """Seconds for a 10-million-step Python loop. Shared machines change speed by a third from
    minute to minute; this, printed beside each configuration, tells a slower machine from
    slower code."""
    started = time.perf_counter()
    for _ in range(10_000_000):
        pass
    return time.perf_counter() - started


async def run_config(kind: str, web: int, people: int, args: argparse.Namespace,
                     backlog: bool) -> list[Result]:
    speed = machine_speed()
    results = await _run_config(kind, web, people, args, backlog)
    for result in results:
        result.loop_s = speed
    return results


async def _run_config(kind: str, web: int, people: int, args: argparse.Namespace,
                      backlog: bool) -> list[Result]:
    config = f"{kind:8} web={web} people={people}"
    with tempfile.TemporaryDirectory(prefix="rise-bench-") as tmp:
        workdir = Path(tmp)
        url = await fresh_database(kind, workdir)
        await seed(url, people)
        server = BenchTelegram()
        await server.start()
        for i in range(people):
            server.add_user(FIRST_YP + i, "Sky")
        server.add_user(DUTY, "Dee")
        procs = Processes(url, server, web, workdir)
        results = []
        try:
            await procs.start()
            crowd = Crowd(server, people)
            await run_phase(server, crowd, procs, config=config, phase="warm-up", seconds=2,
                            rate=min(args.rate, 100), concurrency=0, danger_rate=0)
            first_call = len(server.calls)  # connections, caches, first /menu: not measured
            results.append(await run_phase(server, crowd, procs, config=config,
                                           phase=f"{args.rate:.0f}/s", seconds=args.seconds,
                                           rate=args.rate, concurrency=0,
                                           danger_rate=args.danger_rate))
            results.append(await run_phase(server, crowd, procs, config=config, phase="max",
                                           seconds=args.seconds, rate=None,
                                           concurrency=args.concurrency,
                                           danger_rate=args.danger_rate))
            await settle_pages(server, crowd, results, first_call)
            if backlog:
                results.append(await run_backlog(server, url, args.backlog, config))
            errors = procs.errors_logged()
            if errors:
                results[-1].note += f" {errors} error lines in logs ({workdir})"
        finally:
            procs.stop()
            await server.stop()
            if errors := procs.errors_logged():
                print(f"  ({config}: {errors} error lines in process logs)", file=sys.stderr)
                for log in workdir.glob("*.log"):
                    tail = log.read_text(errors="replace").splitlines()[-5:]
                    print(f"  {log.name}: " + "\n    ".join(tail), file=sys.stderr)
        return results


def print_table(results: list[Result]) -> None:
    head = (f"{'configuration':28} {'phase':8} {'upd/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'esc n':>5} {'esc p50':>7} {'esc p99':>7} {'out/s':>6} {'err':>4} {'lost':>4} "
            f"{'dup':>4} {'RSS MB':>7} {'cpu ms':>6} {'loop s':>6}  note")
    print(head)
    print("-" * len(head))
    for r in results:
        rate = r.updates / r.seconds if r.seconds and r.updates else 0
        out = r.sent / r.seconds if r.seconds else 0
        print(f"{r.config:28} {r.phase:8} {rate:7.0f} {pct(r.latencies, 50):7.1f} "
              f"{pct(r.latencies, 99):7.1f} {len(r.escalations):5d} "
              f"{pct(r.escalations, 50):7.1f} {pct(r.escalations, 99):7.1f} {out:6.1f} "
              f"{r.errors:4d} {r.lost:4d} {r.duplicated:4d} {r.rss_mb:7.0f} "
              f"{1000 * r.web_cpu / r.updates if r.updates else float('nan'):6.2f} "
              f"{r.loop_s:6.2f}  {r.note}")


async def postgres_answers() -> bool:
    engine = create_async_engine(PG_ADMIN)
    try:
        async with asyncio.timeout(3), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    kinds = [k.strip() for k in args.db.split(",") if k.strip()]
    if "postgres" in kinds and not await postgres_answers():
        print(f"PostgreSQL does not answer at {PG_ADMIN}: SQLite only", file=sys.stderr)
        kinds.remove("postgres")
    results: list[Result] = []
    for kind in kinds:
        first = True
        for web in [int(w) for w in args.web.split(",")]:
            for people in [int(p) for p in args.people.split(",")]:
                print(f"... {kind} web={web} people={people}", file=sys.stderr, flush=True)
                results += await run_config(kind, web, people, args, backlog=first and args.backlog > 0)
                first = False
    print()
    print(f"cpus={os.cpu_count()}  paced phase at {args.rate:.0f} updates/s, max phase with "
          f"{args.concurrency} people waiting at once, {args.seconds:.0f} s each; "
          f"{args.danger_rate:g} danger messages a second, each paging the one duty worker")
    print_table(results)
    print("\nupd/s: updates answered per second; p50/p99: update created -> webhook answered "
          "(saved and replied);\nesc: danger message -> duty worker's page at Telegram; out/s: "
          "Bot API sends per second; RSS: peak of the largest web process;\n"
          "cpu ms: CPU time of the web processes per update answered; loop s: seconds for a "
          "10-million-step Python loop just before (the machine's speed at the time).")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--web", default="1,2", help="web processes, e.g. 1,2")
    parser.add_argument("--people", default="100,1000,5000", help="young people")
    parser.add_argument("--rate", type=float, default=200.0, help="paced phase, updates/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=64,
                        help="max phase: people waiting on the bot at once")
    parser.add_argument("--danger-rate", type=float, default=0.3,
                        help="danger messages per second; each brings up to three messages to "
                             "the one duty worker, and Telegram allows about one a second to "
                             "one chat")
    parser.add_argument("--backlog", type=int, default=240, help="0 to skip the outbox phase")
    return parser.parse_args(argv)


if __name__ == "__main__":
    # uvloop, as in the web processes: the fake Telegram shares the two cores with them, and
    # its own event loop's overhead would otherwise be counted against the bot
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(parse()))
    else:
        uvloop.run(main(parse()))
