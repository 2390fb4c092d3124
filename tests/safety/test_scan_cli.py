"""`rise-bot safety scan`: one JSON line per message, in order."""

import io
import json
import subprocess
import sys

from bot.safety.reader import SafetyReader
from bot.safety.scan_cli import main, scan_stream


def test_scan_stream_one_json_object_per_line_in_order(detector):
    lines = ["he's outside my house and won't leave\n", "this homework is killing me\n", "hi"]
    lexicon_only = SafetyReader(detector, None, "test")
    out = [json.loads(line) for line in scan_stream(lines, lexicon_only)]
    assert [o["text"] for o in out] == [line.rstrip("\n") for line in lines]
    assert [o["severity"] for o in out] == ["critical", "none", "none"]
    assert out[0]["categories"] == ["immediate_danger"]
    assert set(out[0]) == {"text", "severity", "categories", "matches", "channels", "ask"}
    assert out[0]["channels"] == {"lexicon": "critical", "model": "none",
                                  "model_scores": [0.0, 0.0, 0.0]}


def test_scan_runs_the_model_too_and_reads_each_line_alone(capsys, monkeypatch):
    # "hes here" after a fearful line would be critical in a conversation; here it is alone
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "took everything in the cupboard, feel sleepy now\nim scared of my ex\nhes here\n"))
    assert main([]) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.err  # the model loaded
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert rows[0]["severity"] == "critical" and rows[0]["channels"]["model"] == "critical"
    assert rows[0]["matches"] == []  # the lexicon has no words for it: the model heard it
    alone = SafetyReader.load().read("hes here")
    assert rows[2]["severity"] == alone.severity.label


def test_main_reads_a_file(tmp_path, capsys):
    path = tmp_path / "messages.txt"
    path.write_text("i want to die\nok\n", encoding="utf-8")
    assert main([str(path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["severity"] for r in rows][1:] == ["none"]
    assert rows[0]["severity"] in ("high", "critical")


def test_main_reads_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("im scared of him\n"))
    assert main([]) == 0
    assert json.loads(capsys.readouterr().out)["severity"] in ("medium", "high", "critical")


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main([str(tmp_path / "nope.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_runnable_as_module():
    done = subprocess.run(
        [sys.executable, "-m", "bot.safety.scan_cli"], input="sos\n", capture_output=True,
        text=True, check=True,
    )
    assert json.loads(done.stdout)["severity"] == "critical"
