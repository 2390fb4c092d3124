"""`rise-bot demo` as a newcomer runs it: its own process, its own folder, stopped with Ctrl-C."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

RISE_BOT = Path(sys.executable).with_name("rise-bot")
READY = "Press Ctrl-C to stop."  # the banner's last line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pump(stream: IO[str], into: list[str], lines: queue.Queue[str] | None) -> None:
    """Read a pipe to its end in a thread, so a chatty process never blocks on a full pipe."""
    for line in stream:
        into.append(line)
        if lines is not None:
            lines.put(line)


@dataclass
class Demo:
    """One `rise-bot demo --port PORT` in `folder` (its var/ lives there)."""

    folder: Path
    port: int
    process: subprocess.Popen[str] | None = None
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def launch(self, *extra: str) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOG_LEVEL")}
        self.stdout, self.stderr = [], []
        self.process = subprocess.Popen(
            [str(RISE_BOT), "demo", "--port", str(self.port), *extra], cwd=self.folder, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)  # its own process group, like a terminal's job
        self._lines: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None and self.process.stderr is not None
        self._threads = [
            threading.Thread(target=_pump, args=(self.process.stdout, self.stdout, self._lines),
                             daemon=True),
            threading.Thread(target=_pump, args=(self.process.stderr, self.stderr, None),
                             daemon=True)]
        for thread in self._threads:
            thread.start()
        return self.process

    def start(self, timeout: float = 90.0) -> str:
        """Start and wait for the whole banner; returns what it printed."""
        self.launch()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.5)
            except queue.Empty:
                if self.process is not None and self.process.poll() is not None:
                    break
                continue
            if READY in line:
                return "".join(self.stdout)
        self.kill()
        raise AssertionError(f"the demo did not start: {''.join(self.stdout)!r} "
                             f"{''.join(self.stderr)[-2000:]!r}")

    def invite_code(self) -> str:
        found = re.search(r"/start (\S+)", "".join(self.stdout))
        assert found, f"no invite in {''.join(self.stdout)!r}"
        return found.group(1)

    def wait(self, timeout: float = 30.0) -> tuple[int, str, str]:
        """Until it exits: (exit code, everything it printed, everything on stderr)."""
        assert self.process is not None
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the demo did not stop: {''.join(self.stderr)[-2000:]!r}"
                                 ) from None
        for thread in self._threads:
            thread.join(timeout=5)
        self.process = None
        return code, "".join(self.stdout), "".join(self.stderr)

    def stop(self, timeout: float = 30.0) -> tuple[int, str, str]:
        """Ctrl-C, as a person stops it: SIGINT to the whole process group, helpers included,
        as a terminal sends it. Returns what `wait` does."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
