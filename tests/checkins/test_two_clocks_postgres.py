"""Two clock processes on one PostgreSQL database send each check-in exactly once.

Runs against the real server (RISE_TEST_POSTGRES_URL, or 127.0.0.1:5432/test if it answers), in
a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bot.app.services import build_services
from bot.db.engine import Database
from bot.db.models import CheckinAnswer, Job, OutboxMessage, Role
from bot.records import people

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
YOUNG_PEOPLE = 300


def postgres_url() -> str | None:
    url = os.environ.get("RISE_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
    except OSError:
        return None
    return DEFAULT_URL


def in_schema(url: str, schema: str) -> Database:
    """A Database with its own engine, whose connections use `schema`."""
    database = Database(url)
    database.engine = create_async_engine(
        url, pool_size=5, connect_args={"server_settings": {"search_path": schema}})
    database.sessions = async_sessionmaker(database.engine, expire_on_commit=False)
    return database


@pytest.fixture
async def pg_schema():
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL answering and RISE_TEST_POSTGRES_URL unset")
    schema = f"checkins_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield url, schema
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    await admin.dispose()


async def test_two_clocks_on_postgres_send_each_check_in_once(pg_schema, clock):
    url, schema = pg_schema
    first_db, second_db = in_schema(url, schema), in_schema(url, schema)
    try:
        await first_db.create_all()
        first = build_services(first_db, now=clock)
        second = build_services(second_db, now=clock)
        async with first_db.transaction() as session:
            for n in range(YOUNG_PEOPLE):
                person = await people.create_person(session, Role.YOUNG_PERSON,
                                                    telegram_id=700_000 + n)
                person.privacy_accepted_at = clock()
                await first.checkins.set_schedule(session, person, pattern="daily",
                                                  times=["18:00"], by=None, now=clock())
        for c in (first.clock, second.clock):
            c.batch = 10  # small batches, so the two really interleave

        clock.now = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
        ran = await asyncio.gather(first.clock.tick(), second.clock.tick(),
                                   first.clock.tick(), second.clock.tick())
        assert sum(ran) == YOUNG_PEOPLE
        assert ran[0] + ran[2] > 0 and ran[1] + ran[3] > 0, ran  # both did some of the work

        async with first_db.transaction() as session:
            chats = Counter(await session.scalars(select(OutboxMessage.chat_id)))
            answers = await session.scalar(select(func.count(CheckinAnswer.id)))
            pending = Counter(await session.scalars(
                select(Job.person_id).where(Job.kind == "checkin", Job.status == "pending")))
        assert len(chats) == YOUNG_PEOPLE and set(chats.values()) == {1}
        assert answers == YOUNG_PEOPLE
        assert len(pending) == YOUNG_PEOPLE and set(pending.values()) == {1}  # tomorrow's
    finally:
        await first_db.dispose()
        await second_db.dispose()
