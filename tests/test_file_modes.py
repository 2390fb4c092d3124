"""Files the bot writes that hold people's data or keys are its owner's alone (0600)."""

from __future__ import annotations

import os

import pytest

from bot.app import demo
from bot.db.crypto import write_private
from bot.db.engine import Database


@pytest.fixture
def loose_umask():
    """The usual umask, under which files are world-readable unless made otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return path.stat().st_mode & 0o777


async def test_a_new_sqlite_database_and_its_wal_files_are_created_0600(tmp_path, loose_umask):
    path = tmp_path / "rise.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.create_all()
        assert mode(path) == 0o600
        for suffix in ("-wal", "-shm"):
            extra = tmp_path / f"rise.db{suffix}"
            if extra.exists():
                assert mode(extra) == 0o600, suffix
    finally:
        await db.dispose()


async def test_the_demo_database_and_key_are_created_0600(tmp_path, monkeypatch, loose_umask):
    monkeypatch.chdir(tmp_path)
    demo.demo_key()
    assert mode(tmp_path / demo.DEMO_KEY) == 0o600
    (tmp_path / demo.DEMO_DB).parent.mkdir(exist_ok=True)
    db = Database(f"sqlite+aiosqlite:///{demo.DEMO_DB}")
    try:
        await db.create_all()
    finally:
        await db.dispose()
    assert mode(tmp_path / demo.DEMO_DB) == 0o600


def test_write_private_makes_even_an_existing_readable_file_0600(tmp_path, loose_umask):
    path = tmp_path / "key"
    path.write_text("old")
    assert mode(path) == 0o644
    write_private(path, b"secret")
    assert (mode(path), path.read_bytes()) == (0o600, b"secret")
