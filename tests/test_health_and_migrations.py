"""The clock's heartbeat migration applies on both databases; the dead-man's switch pings only
while the clock ticks, and its failures are never fatal."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from sqlalchemy import inspect

from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from bot.time.health import DeadMansSwitch


async def test_migrations_reach_the_heartbeats_table(db_place):
    url, schema = db_place
    await upgrade_async(url, schema=schema)
    database = Database(url, schema=schema)
    try:
        async with database.engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            kind = await connection.run_sync(lambda sync: {
                c["name"]: c["type"] for c in inspect(sync).get_columns("alert_events")}["kind"])
        assert "heartbeats" in tables
        assert kind.length == 40
    finally:
        await database.dispose()


async def test_the_dead_mans_switch_pings_while_the_clock_ticks_and_survives_failures():
    hits = []

    async def ping(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_get("/ping", ping)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    now = asyncio.get_running_loop().time
    last_tick: list[float | None] = [None]
    switch = DeadMansSwitch(f"http://127.0.0.1:{port}/ping", lambda: last_tick[0])
    try:
        async with aiohttp.ClientSession() as session:
            assert not await switch.ping_once(session)  # the clock has never ticked
            last_tick[0] = now()
            assert await switch.ping_once(session)
            last_tick[0] = now() - 600  # the clock stopped ten minutes ago
            assert not await switch.ping_once(session)
            last_tick[0] = now()
            dead = DeadMansSwitch("http://127.0.0.1:9/nowhere", lambda: last_tick[0])
            assert not await dead.ping_once(session)  # logged, not raised
    finally:
        await runner.cleanup()
    assert hits == ["/ping"]
