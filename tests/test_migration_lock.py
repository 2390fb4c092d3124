"""Issue 17, item 11: a webhook and a clock started together on a fresh SQLite database both
upgrade it; one migrates, the other waits, and neither dies ("table people already exists")."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = ("import sys; from bot.db.migrate import upgrade; sys.stdin.read(); "
          "upgrade(sys.argv[1]); print('ok')")


@pytest.mark.parametrize("attempt", range(3))
def test_two_processes_upgrading_a_fresh_sqlite_database_at_once_both_succeed(tmp_path, attempt):
    url = f"sqlite+aiosqlite:///{tmp_path / 'rise.db'}"
    starts = [subprocess.Popen([sys.executable, "-c", SCRIPT, url], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    for process in starts:  # both are loaded and waiting: go together
        process.stdin.write("go")
        process.stdin.close()
    results = [(process.stdout.read(), process.stderr.read()) for process in starts]
    for process in starts:
        process.wait(timeout=120)
    for (out, err), process in zip(results, starts, strict=True):
        assert process.returncode == 0 and out.strip() == "ok", err[-2000:]
