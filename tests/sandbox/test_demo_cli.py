"""`rise-bot demo` in a terminal: a busy port is one clear line, Ctrl-C is clean, and the
terminal is not flooded with log lines."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

from tests.browser.demo_process import Demo, free_port


def test_a_busy_port_is_one_clear_line_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = Demo(tmp_path, port)
        demo.launch()
        code, out, err = demo.wait(timeout=90)
    assert code == 1
    assert err.splitlines() == [
        f"Port {port} on 127.0.0.1 is already in use (another demo may be running). Choose "
        f"another: rise-bot demo --port {port + 1}  (or: make demo PORT={port + 1})"]
    assert "RISE bot demo is running" not in out


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_ctrl_c_stops_cleanly_and_flows_do_not_flood_the_terminal(tmp_path):
    demo = Demo(tmp_path, free_port())
    demo.start()
    try:
        code = demo.invite_code()
        _post(f"{demo.url}control/users/2001/text", {"text": f"/start {code}"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the bot answers Alex: flows ran
            with urllib.request.urlopen(f"{demo.url}control/chats/2001", timeout=10) as answer:
                if any(m["from_bot"] for m in json.loads(answer.read())["messages"]):
                    break
            time.sleep(0.2)
        else:
            raise AssertionError("the bot never answered Alex")
    except BaseException:
        demo.kill()
        raise
    exit_code, out, err = demo.stop()
    assert exit_code == 0
    assert out.rstrip().endswith("Demo stopped.")
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-2000:]
    assert "transitions" not in err  # no INFO line per state change
    assert len(err.splitlines()) < 25, err[-3000:]


def test_ctrl_c_in_a_terminal_leaves_the_chart_helper_quiet(tmp_path):
    """The wheel chart's helper process is in the terminal's process group and gets Ctrl-C too:
    it must not print a KeyboardInterrupt traceback of its own."""
    script = tmp_path / "draw.py"
    script.write_text(textwrap.dedent("""
        import asyncio, os, signal, sys
        from bot.pictures.charts import draw_wheel_chart, stop_chart_helper

        async def main():
            stop = asyncio.Event()
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
            await draw_wheel_chart(["Home", "School", "Friends"], [("Now", [3, 5, 7])])
            print("drawn", flush=True)
            await stop.wait()
            stop_chart_helper()

        if __name__ == "__main__":
            asyncio.run(main())
    """))
    process = subprocess.Popen([sys.executable, str(script)], cwd=os.getcwd(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "drawn\n"
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
