"""The rooms of `bot/` and the one rule between them: arrows point down.

Each package under `bot/` is a room; a module may import its own room and the rooms below it,
never one above (nor a room beside it on the same floor). Imports under `if TYPE_CHECKING:` are
names for type hints only and are not counted. `flows/` is pure conversation logic: it never
imports telegram, sqlalchemy or the bot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"

# top floor first; rooms on one floor do not import each other
FLOORS: tuple[frozenset[str], ...] = tuple(frozenset(floor.split()) for floor in (
    "app",  # wiring and the command line
    "tg sandbox",  # the Telegram adapter; the fake Telegram server
    "router",  # one update's path
    "young workers",  # the features: a young person's and a worker's
    "care",  # check-ins, wheels, closure
    "safety",  # hearing danger, alerts, pages
    "features records",  # the registry's vocabulary; what is kept about people
    "time",  # the job clock and the outbox
    "pictures",  # charts and QR codes
    "db",  # tables, migrations, encryption
))
FLOOR_OF = {room: number for number, floor in enumerate(FLOORS) for room in floor}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import outside `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hints = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
             and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
             for stmt in block.body for node in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in hints:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "bot":  # `from bot import records` names rooms
                found += [(node.lineno, f"bot.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "bot" and len(parts) > 1 else None


def test_every_module_of_bot_lives_in_a_room():
    loose = [p.name for p in BOT.glob("*.py") if p.name != "__init__.py"]
    assert loose == []
    rooms = {p.name for p in BOT.iterdir() if (p / "__init__.py").exists()}
    assert rooms == set(FLOOR_OF)


def test_arrows_between_rooms_only_point_down():
    upward = []
    for path in sorted(BOT.rglob("*.py")):
        here = _room(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if here is None:
            continue
        for line, module in _imports(path):
            there = _room(module)
            if there is None or there == here:
                continue
            if FLOOR_OF[there] <= FLOOR_OF[here]:
                upward.append(f"{path.relative_to(ROOT)}:{line} ({here}) imports {module} ({there})")
    assert upward == []


@pytest.mark.parametrize("path", sorted((ROOT / "flows").rglob("*.py")), ids=lambda p: p.name)
def test_flows_never_import_telegram_sqlalchemy_or_the_bot(path):
    banned = [module for _, module in _imports(path)
              if module.split(".")[0] in ("telegram", "sqlalchemy", "bot")]
    assert banned == []


def test_the_rule_catches_an_upward_arrow(tmp_path):
    """The check itself: a records module importing the router is reported."""
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nfrom bot.router import Identity\n"
                      "if TYPE_CHECKING:\n    from bot.app import services\n", encoding="utf-8")
    assert [m for _, m in _imports(module)] == ["typing", "bot.router"]
    assert FLOOR_OF[_room("bot.router")] < FLOOR_OF["records"]
