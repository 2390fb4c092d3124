"""SQLite writers take turns in the order they asked, across tasks and across processes."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.db.engine import Database
from bot.db.write_turn import lock_path


@pytest.fixture
async def two_processes(tmp_path):
    """Two Database objects on one file stand for two processes (their own pools and locks)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}"
    first, second = Database(url), Database(url)
    await first.create_all()
    async with first.transaction() as session:
        await session.execute(text("CREATE TABLE said (n INTEGER)"))
    yield first, second
    await first.dispose()
    await second.dispose()


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


async def test_a_second_process_waits_for_the_turn_not_for_a_write(two_processes):
    first, second = two_processes
    entered = asyncio.Event()

    async def other_process():
        async with second.transaction() as session:
            entered.set()
            await session.execute(text("INSERT INTO said VALUES (2)"))

    async with first.transaction() as session:
        waiting = asyncio.create_task(other_process())
        await settle()
        # nothing written yet, so SQLite would let it in: the turn does not
        assert not entered.is_set()
        await session.execute(text("INSERT INTO said VALUES (1)"))
    await asyncio.wait_for(waiting, 5)
    async with first.sessions() as session:
        assert (await session.scalars(text("SELECT n FROM said"))).all() == [1, 2]


async def test_one_process_writes_in_the_order_its_updates_asked(two_processes):
    first, _ = two_processes

    async def write(n: int):
        async with first.transaction() as session:
            await asyncio.sleep(0.005 * (5 - n))  # the first to ask is the slowest to write
            await session.execute(text("INSERT INTO said VALUES (:n)"), {"n": n})

    await asyncio.gather(*(write(n) for n in range(5)))
    async with first.sessions() as session:
        assert (await session.scalars(text("SELECT n FROM said"))).all() == [0, 1, 2, 3, 4]


async def test_a_transaction_inside_a_transaction_does_not_wait_for_itself(two_processes):
    first, _ = two_processes
    async with first.transaction(), asyncio.timeout(5), first.transaction() as inner:
        await inner.execute(text("INSERT INTO said VALUES (1)"))


async def test_giving_up_while_waiting_leaves_the_turn_free(two_processes):
    first, second = two_processes
    async with first.transaction():
        gave_up = asyncio.create_task(_write(second, 9))
        await settle()
        gave_up.cancel()
        await asyncio.gather(gave_up, return_exceptions=True)
    await settle()
    await asyncio.wait_for(_write(second, 3), 5)
    await asyncio.wait_for(_write(first, 4), 5)
    async with first.sessions() as session:
        assert (await session.scalars(text("SELECT n FROM said"))).all() == [3, 4]


async def _write(db: Database, n: int) -> None:
    async with db.transaction() as session:
        await session.execute(text("INSERT INTO said VALUES (:n)"), {"n": n})


def test_the_lock_file_sits_beside_the_database(tmp_path):
    assert lock_path(f"sqlite+aiosqlite:///{tmp_path}/rise.db") == tmp_path / "rise.db.writer-lock"
    assert lock_path("sqlite+aiosqlite:///:memory:") is None
    assert lock_path("sqlite+aiosqlite://") is None


async def test_a_writer_stuck_behind_a_holder_gives_up_like_sqlites_busy_timeout(tmp_path):
    """Never a wait for ever: after `wait` the update fails (and Telegram delivers it again),
    as it did when SQLite's own busy timeout ran out, and the turn still works afterwards."""
    from bot.db.write_turn import WriteTurn

    for path in (None, tmp_path / "t.writer-lock"):  # this process only, and across processes
        turn = WriteTurn(path, wait=0.2)
        release = asyncio.Event()

        async def stuck_holder(turn=turn, release=release):
            async with turn():
                await release.wait()

        holder = asyncio.create_task(stuck_holder())
        await settle()
        with pytest.raises(TimeoutError):
            async with turn():
                pass
        release.set()
        await holder
        async with asyncio.timeout(5), turn():
            pass
        turn.close()
