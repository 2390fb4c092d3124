"""`rise-bot admin ...` from the command line, against a fresh migrated database."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.app.cli import main
from bot.db.engine import Database
from bot.db.models import Person, Role
from bot.records import people


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}")
    monkeypatch.setenv("BOT_USERNAME", "@area_rise_bot")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["admin", *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def _in_db(tmp_path, work):
    async def go():
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}")
        try:
            async with db.transaction() as session:
                return await work(session)
        finally:
            await db.dispose()
    return asyncio.run(go())


def test_add_worker_prints_a_link_and_writes_a_qr_code(cli, tmp_path):
    code, out, err = cli("add-worker", "--name", "Jo Bloggs", "--role", "support-worker",
                         "--duty-list", "--email", "jo@example.org")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert re.fullmatch(r"Added Jo Bloggs \(SW-[A-Z2-9]{5}, support worker, on the duty list\), "
                        r"number 1\.", lines[0])
    assert re.fullmatch(r"Enrolment link \(works once, until \d{4}-\d\d-\d\d \d\d:\d\d UTC\):",
                        lines[1])
    # an enrolment code, easy to read aloud and type: four groups of four, no look-alikes
    assert re.fullmatch(r"https://t\.me/area_rise_bot\?start=([ACDEFGHJKMNPQRTWXY34679]{4}-){3}"
                        r"[ACDEFGHJKMNPQRTWXY34679]{4}", lines[2])
    path = tmp_path / lines[3].removeprefix("QR code: ")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_bad_role_is_one_clear_sentence(cli):
    assert cli("add-worker", "--name", "X", "--role", "boss") == (
        1, "", "Unknown role 'boss': use one of support_worker, duty_worker, manager, admin.\n")


def test_list_workers(cli):
    assert cli("list-workers") == (0, "No workers yet. Add one with `rise-bot admin add-worker`.\n",
                                   "")
    cli("add-worker", "--name", "Jo", "--role", "support_worker")
    cli("add-worker", "--name", "Sam", "--role", "duty_worker")
    code, out, _ = cli("list-workers")
    rows = [re.sub(r"[A-Z]{2}-[A-Z2-9]{5}", "XX-XXXXX", line) for line in out.splitlines()]
    assert rows == [
        "  no  pseudonym  name                 role            duty list telegram active caseload",
        "   1  XX-XXXXX   Jo                   support_worker  no        not yet  yes    0",
        "   2  XX-XXXXX   Sam                  duty_worker     yes       not yet  yes    0",
    ]


def test_deactivating_a_worker_with_a_caseload_is_refused_then_moved_to_a_manager(cli, tmp_path):
    cli("add-worker", "--name", "Jo", "--role", "support_worker")
    cli("add-worker", "--name", "Mo", "--role", "manager")
    cli("add-worker", "--name", "Al", "--role", "support_worker")

    async def caseload(session):
        for name in ("YP-AAAAA", "YP-BBBBB"):
            young = await people.create_person(session, Role.YOUNG_PERSON, worker_id=1)
            young.pseudonym = name
    _in_db(tmp_path, caseload)

    assert cli("deactivate-worker", "1") == (
        1, "", "Jo (" + _pseudonym(tmp_path, 1) + ") still has 2 young people: YP-AAAAA, YP-BBBBB.\n"
        "Transfer them first (/transfer in Telegram), or add --to-manager ID.\n")
    assert cli("deactivate-worker", "1", "--to-manager", "3")[2] == (
        f"Al ({_pseudonym(tmp_path, 3)}) is not an active manager.\n")
    assert cli("deactivate-worker", "1", "--to-manager", "2") == (
        0, f"Jo ({_pseudonym(tmp_path, 1)}) is switched off. Moved 2 young people to Mo.\n", "")

    async def check(session):
        jo = await session.get(Person, 1)
        moved = [(await session.get(Person, i)).worker_id for i in (4, 5)]
        return jo.active, moved
    assert _in_db(tmp_path, check) == (False, [2, 2])
    assert cli("deactivate-worker", "nobody")[2] == (
        "No worker 'nobody'. See `rise-bot admin list-workers`.\n")
    # a worker with nobody on their caseload can be switched off straight away, by pseudonym
    assert cli("deactivate-worker", _pseudonym(tmp_path, 3))[0] == 0


def _pseudonym(tmp_path, person_id: int) -> str:
    async def get(session):
        return (await session.get(Person, person_id)).pseudonym
    return _in_db(tmp_path, get)
