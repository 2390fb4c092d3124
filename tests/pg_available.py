"""Prints "yes" if the test PostgreSQL server (RISE_TEST_POSTGRES_URL) answers, else "no"."""

from __future__ import annotations

import asyncio
import os

from sqlalchemy.engine import make_url

URL = os.environ.get("RISE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def _answers() -> bool:
    import asyncpg

    dsn = make_url(URL).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        connection = await asyncio.wait_for(asyncpg.connect(dsn), 3)
    except Exception:
        return False
    await connection.close()
    return True


if __name__ == "__main__":
    print("yes" if asyncio.run(_answers()) else "no")
