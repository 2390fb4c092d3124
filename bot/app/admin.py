"""`rise-bot admin ...`: worker accounts and the retention purge from the command line.

`add-worker` makes the record and a single-use, expiring enrolment link (and its QR code);
opening the link in Telegram binds that account to the worker. A worker with young people on
their caseload is only switched off once the caseload has gone to someone else.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.db.crypto import write_private
from bot.db.engine import Database
from bot.db.models import Person, Role
from bot.pictures.qr import deep_link, qr_png
from bot.records import people
from bot.safety.escalation import Escalation
from bot.safety.policy import load_policy
from bot.workers.handover import hand_over
from content.loader import Content, default_content

ENROLMENT_LIFETIME = timedelta(days=3)
WORKER_ROLES = (Role.SUPPORT_WORKER, Role.DUTY_WORKER, Role.MANAGER, Role.ADMIN)
QR_FOLDER = Path("var/enrolment")


class AdminError(Exception):
    """Something the admin asked for that cannot be done; the message says why."""


@dataclass(frozen=True)
class Enrolment:
    worker: Person
    link: str
    expires_at: datetime


def parse_role(raw: str) -> Role:
    value = raw.strip().lower().replace("-", "_").replace(" ", "_")
    for role in WORKER_ROLES:
        if value == role.value:
            return role
    raise AdminError(f"Unknown role {raw!r}: use one of "
                     + ", ".join(r.value for r in WORKER_ROLES) + ".")


async def add_worker(db: Database, *, name: str, role: Role, bot_username: str,
                     duty_list: bool = False, email: str | None = None,
                     now: datetime | None = None) -> Enrolment:
    now = now or datetime.now(UTC)
    if not name.strip():
        raise AdminError("A worker needs a name.")
    async with db.transaction() as session:
        worker = await people.create_person(session, role, display_name=name.strip())
        worker.on_duty_list = duty_list or role == Role.DUTY_WORKER
        worker.email = email
        invite = await people.create_invite(session, worker, purpose="worker", now=now,
                                            lifetime=ENROLMENT_LIFETIME)
        return Enrolment(worker, deep_link(bot_username, invite.code), invite.expires_at)


async def list_workers(db: Database) -> list[tuple[Person, int]]:
    """Every worker with the number of young people on their caseload."""
    async with db.transaction() as session:
        workers = (await session.scalars(select(Person).where(Person.role.in_(WORKER_ROLES))
                                         .order_by(Person.id))).all()
        rows = (await session.execute(
            select(Person.worker_id, func.count()).where(
                Person.role == Role.YOUNG_PERSON, Person.active.is_(True))
            .group_by(Person.worker_id))).all()
        counts = {worker_id: count for worker_id, count in rows}
        return [(w, counts.get(w.id, 0)) for w in workers]


async def _worker(session, ident: str) -> Person:
    query = select(Person).where(Person.role.in_(WORKER_ROLES))
    if ident.isdigit():
        query = query.where(Person.id == int(ident))
    else:
        query = query.where(Person.pseudonym == ident.strip().upper())
    found = await session.scalar(query)
    if found is None:
        raise AdminError(f"No worker {ident!r}. See `rise-bot admin list-workers`.")
    return found


async def deactivate_worker(db: Database, ident: str, *, to_manager: str | None = None,
                            escalation: Escalation | None = None, content: Content | None = None,
                            now: datetime | None = None) -> str:
    """Switch a worker off; their caseload must go to a manager first (or already be empty).

    In the same transaction they hand over what they were handling (`bot.workers.handover`):
    alerts they acknowledged, chats with young people, anything queued for them."""
    content = content or default_content()
    escalation = escalation or Escalation(load_policy(), content, ZoneInfo("Europe/London"))
    now = now or datetime.now(UTC)
    async with db.transaction() as session:
        worker = await _worker(session, ident)
        caseload = (await session.scalars(select(Person).where(
            Person.role == Role.YOUNG_PERSON, Person.active.is_(True),
            Person.worker_id == worker.id).order_by(Person.id))).all()
        moved = ""
        if caseload:
            if to_manager is None:
                names = ", ".join(p.pseudonym for p in caseload)
                raise AdminError(
                    f"{worker.display_name} ({worker.pseudonym}) still has {len(caseload)} young "
                    f"{'person' if len(caseload) == 1 else 'people'}: {names}.\n"
                    "Transfer them first (/transfer in Telegram), or add --to-manager ID.")
            manager = await _worker(session, to_manager)
            if manager.role != Role.MANAGER or not manager.active or manager.id == worker.id:
                raise AdminError(f"{manager.display_name} ({manager.pseudonym}) is not an "
                                 "active manager.")
            for young in caseload:
                young.worker_id = manager.id
            moved = f" Moved {len(caseload)} young people to {manager.display_name}."
        worker.active = False
        worker.on_duty = False
        worker.on_duty_list = False
        handed = await hand_over(session, worker, escalation, content, now)
        return (f"{worker.display_name} ({worker.pseudonym}) is switched off."
                f"{handed.words(content)}{moved}")


# --- the command line -------------------------------------------------------------------------


def register(admin: argparse._SubParsersAction) -> None:
    """`rise-bot admin add-worker | list-workers | deactivate-worker | purge`."""
    add = admin.add_parser("add-worker", help="create a worker and print their enrolment link")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True,
                     help="support_worker, duty_worker, manager or admin")
    add.add_argument("--duty-list", action="store_true", help="may be paged for alerts")
    add.add_argument("--email", help="second channel for alerts")
    add.add_argument("--qr", type=Path, help="where to write the QR code PNG")
    add.set_defaults(handler=cmd_add_worker)
    listing = admin.add_parser("list-workers", help="every worker, with their caseload size")
    listing.set_defaults(handler=cmd_list_workers)
    off = admin.add_parser("deactivate-worker", help="switch a worker off")
    off.add_argument("id", help="the worker's number or pseudonym (see list-workers)")
    off.add_argument("--to-manager", metavar="ID", help="move their caseload to this manager")
    off.set_defaults(handler=cmd_deactivate_worker)
    purge = admin.add_parser("purge", help="remove what the retention rules say has been kept "
                             "long enough (audited)")
    purge.add_argument("--dry-run", action="store_true",
                       help="only count what would go (still written to the audit log)")
    purge.set_defaults(handler=cmd_purge)


def _run(work) -> int:
    from bot.app.config import settings_or_exit
    from bot.db.migrate import upgrade

    settings = settings_or_exit()
    upgrade(settings.database_url)

    async def main() -> int:
        db = Database(settings.database_url)
        try:
            return await work(db, settings)
        except AdminError as error:
            print(error, file=sys.stderr)
            return 1
        finally:
            await db.dispose()

    return asyncio.run(main())


def cmd_add_worker(args: argparse.Namespace) -> int:
    async def work(db: Database, settings) -> int:
        role = parse_role(args.role)
        enrolment = await add_worker(db, name=args.name, role=role,
                                     bot_username=settings.bot_username,
                                     duty_list=args.duty_list, email=args.email)
        worker = enrolment.worker
        path: Path = args.qr or QR_FOLDER / f"{worker.pseudonym}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, qr_png(enrolment.link))  # a key to the account until it is used
        print(f"Added {worker.display_name} ({worker.pseudonym}, {role.value.replace('_', ' ')}"
              f"{', on the duty list' if worker.on_duty_list else ''}), number {worker.id}.\n"
              f"Enrolment link (works once, until {enrolment.expires_at:%Y-%m-%d %H:%M} UTC):\n"
              f"{enrolment.link}\nQR code: {path}")
        return 0

    return _run(work)


def cmd_list_workers(args: argparse.Namespace) -> int:
    async def work(db: Database, settings) -> int:
        rows = await list_workers(db)
        if not rows:
            print("No workers yet. Add one with `rise-bot admin add-worker`.")
            return 0
        print(format_table(rows))
        return 0

    return _run(work)


def format_table(rows: Sequence[tuple[Person, int]]) -> str:
    lines = [f"{'no':>4}  {'pseudonym':<10} {'name':<20} {'role':<15} {'duty list':<9} "
             f"{'telegram':<8} {'active':<6} caseload"]
    for worker, caseload in rows:
        lines.append(f"{worker.id:>4}  {worker.pseudonym:<10} {(worker.display_name or '')[:20]:<20} "
                     f"{worker.role:<15} {'yes' if worker.on_duty_list else 'no':<9} "
                     f"{'linked' if worker.telegram_id else 'not yet':<8} "
                     f"{'yes' if worker.active else 'no':<6} {caseload}")
    return "\n".join(lines)


def cmd_deactivate_worker(args: argparse.Namespace) -> int:
    async def work(db: Database, settings) -> int:
        content = default_content(settings.area_contacts_file)
        escalation = Escalation(load_policy(), content, ZoneInfo(settings.timezone))
        print(await deactivate_worker(db, args.id, to_manager=args.to_manager,
                                      escalation=escalation, content=content))
        return 0

    return _run(work)


def cmd_purge(args: argparse.Namespace) -> int:
    """Apply the retention rules (bot/app/retention.py) now, or with --dry-run only count."""
    from bot.app.retention import RetentionPolicy, purge

    async def work(db: Database, settings) -> int:  # deleting needs no encryption key
        report = await purge(db, RetentionPolicy.from_settings(settings),
                             now=datetime.now(UTC), dry_run=args.dry_run)
        print("\n".join(report.lines()))
        return 0

    return _run(work)
