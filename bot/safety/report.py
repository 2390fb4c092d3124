"""`rise-bot safety report`: what the workers who resolved alerts said they were, looking back.

Counts resolved alerts per category and per channel by outcome (real concern / not a concern /
unsure / not recorded), so a safeguarding lead can see where the detector is right and where it
wakes people for nothing. An alert counts once under each of its categories and each of its
channels ("lexicon", "model", ... from ``categories["channels"]``; an alert raised some other
way counts under its ``source``: "checkin", "timer", "question", ...). Only those columns are
read: no message text, no names, no notes. Nothing is retrained from it automatically.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Alert
from bot.safety.escalation import CONCERNS

NOT_RECORDED = "not recorded"
COLUMNS = (*CONCERNS.values(), NOT_RECORDED)
NO_CATEGORY = "(none given)"

Row = tuple[dict[str, Any] | None, str | None, str | None]  # categories, source, concern


async def resolved_alerts(db: Database) -> list[Row]:
    async with db.transaction() as session:
        rows = await session.execute(select(Alert.categories, Alert.source, Alert.concern)
                                     .where(Alert.status == "resolved").order_by(Alert.id))
        return [(categories, source, concern) for categories, source, concern in rows]


def channels_of(categories: dict[str, Any] | None, source: str | None) -> list[str]:
    channels = (categories or {}).get("channels") or []
    return sorted(set(channels)) if channels else [source or "unknown"]


def format_report(rows: Sequence[Row]) -> str:
    if not rows:
        return "No resolved alerts yet."
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    by_channel: dict[str, Counter[str]] = defaultdict(Counter)
    for categories, source, concern in rows:
        outcome = CONCERNS.get(concern or "", NOT_RECORDED)
        for name in sorted(set((categories or {}).get("names") or [])) or [NO_CATEGORY]:
            by_category[name][outcome] += 1
        for channel in channels_of(categories, source):
            by_channel[channel][outcome] += 1
    width = max(len(name) for name in [*by_category, *by_channel, "category", "channel"]) + 2
    lines = [f"Outcomes of {len(rows)} resolved alert{'' if len(rows) == 1 else 's'}, as the "
             "workers who resolved them recorded them.",
             "An alert counts once under each of its categories and each of its channels."]
    for heading, table in (("category", by_category), ("channel", by_channel)):
        lines += ["", _line(heading, COLUMNS, width)]
        lines += [_line(name, [str(table[name][c]) for c in COLUMNS], width)
                  for name in sorted(table)]
    lines += ["", "Nothing is retrained from these figures automatically."]
    return "\n".join(lines)


def _line(name: str, cells: Iterable[str], width: int) -> str:
    return (name.ljust(width) + "  ".join(cell.rjust(len(column))
                                          for cell, column in zip(cells, COLUMNS, strict=True))
            ).rstrip()


async def report(db: Database) -> str:
    return format_report(await resolved_alerts(db))
