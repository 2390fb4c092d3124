"""Scan messages from a file or stdin, one per line, and print one JSON object per line.

    python -m bot.safety.scan_cli messages.txt
    echo "he's outside my house" | python -m bot.safety.scan_cli

Output per line: {"text": ..., "severity": ..., "categories": [...], "matches": [...],
"channels": {...}, "ask": ...}. Every channel the bot runs is run (the lexicon, and the model
when it loads); each line is read as a message on its own, with no context carried between lines.
Nothing is logged; the text only goes to stdout, where the caller asked for it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.safety.detector import LexiconError
from bot.safety.reader import SafetyReader, Verdict


def as_json(text: str, verdict: Verdict) -> dict:
    out = verdict.lexicon.to_json(text)
    out["severity"] = verdict.severity.label
    out["categories"] = list(verdict.categories)
    reading = verdict.reading
    out["channels"] = {"lexicon": verdict.lexicon.severity.label, "model": verdict.model.label,
                       "model_scores": [round(p, 3) for p in reading.danger]}
    out["ask"] = verdict.ask
    return out


def scan_stream(lines: Iterable[str], reader: SafetyReader) -> Iterator[str]:
    """One JSON line per input line, in order (trailing newlines are stripped)."""
    for line in lines:
        text = line.rstrip("\r\n")
        yield json.dumps(as_json(text, reader.read(text)), ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="rise-bot safety scan", description=__doc__.split("\n")[0]
    )
    parser.add_argument("file", nargs="?", type=Path, help="text file, one message a line "
                        "(default: stdin)")
    parser.add_argument("--content", type=Path, default=None,
                        help="safety content directory (default: the packaged content/safety)")
    args = parser.parse_args(argv)
    try:
        detector = SafetyReader.load(args.content)
    except LexiconError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if detector.degraded:
        print(f"warning: the model is not loaded ({detector.why_not}); the lexicon runs alone",
              file=sys.stderr)
    if args.file is None:
        for out in scan_stream(sys.stdin, detector):
            print(out)
        return 0
    try:
        with args.file.open(encoding="utf-8") as fh:
            for out in scan_stream(fh, detector):
                print(out)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
