"""SQLite's stand-in for PostgreSQL's NOTIFY: wake the outbox sender in another process.

With SQLite, web processes and the clock share one database file on one machine. The sender
(in the clock) listens on a Unix datagram socket beside the file; a transaction that queued an
outbox row sends it one byte when it commits. It only saves waiting for the sender's next look
(every 0.1 s): a lost byte, or no sender listening, costs that wait and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.write_turn import beside_database

log = logging.getLogger(__name__)
_WAKE_DUE = "rise.sqlite_wake"  # session.info: wake the sender when this transaction commits
_LISTENING = "rise.sqlite_wake_listening"


def wake_path(url: str) -> Path | None:
    return beside_database(url, ".outbox-wake")


def wake_on_commit(session: AsyncSession) -> None:
    """When this session's transaction commits, wake the sender listening beside its file."""
    path = wake_path(str(session.bind.url)) if session.bind is not None else None
    if path is None:
        return
    if _LISTENING not in session.info:
        session.info[_LISTENING] = True

        def committed(_sync_session: Any) -> None:
            if session.info.pop(_WAKE_DUE, False):
                send_wake(path)

        def rolled_back(_sync_session: Any) -> None:
            session.info.pop(_WAKE_DUE, None)

        event.listen(session.sync_session, "after_commit", committed)
        event.listen(session.sync_session, "after_rollback", rolled_back)
    session.info[_WAKE_DUE] = True


def send_wake(path: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        with contextlib.suppress(OSError):  # nobody listening, or their queue is full
            sock.sendto(b"!", str(path))


class _Wakes(asyncio.DatagramProtocol):
    def __init__(self, kick: Callable[[], None]):
        self.kick = kick

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.kick()


async def listen_for_wakes(url: str, kick: Callable[[], None], stop: asyncio.Event) -> None:
    """In the sender's process: call `kick()` for every wake, until `stop` is set."""
    path = wake_path(url)
    if path is None:
        return
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # left by a sender that did not stop cleanly
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.bind(str(path))
        os.chmod(path, 0o600)
    except OSError as error:  # e.g. a path too long for a Unix socket: the sender polls
        sock.close()
        log.warning("outbox wake-ups off; polling only", extra={"error_type": type(error).__name__})
        return
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: _Wakes(kick), sock=sock)
    try:
        await stop.wait()
    finally:
        transport.close()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
