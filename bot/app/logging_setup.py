"""Logs as JSON lines, with nothing in them a young person or a worker typed.

Each record is one JSON object: `time` (UTC, ISO 8601), `level`, `logger`, `message`, then the
`extra` fields the code passes (`update_id`, `error_type`, ...), and `exception` when there is
one. Our own code logs ids, counts and types only, never message text, names, phone numbers or
tokens; two safety nets stand behind that rule:

- libraries that would log requests, replies or SQL parameters (python-telegram-bot logs every
  Bot API call with its parameters at DEBUG; SQLAlchemy and aiosqlite log statement parameters;
  httpx logs URLs, which carry the bot token) are held at WARNING whatever LOG_LEVEL says;
- `LibraryBodies`: a library record, at any level, keeps its message template, its numbers and
  the types of its other arguments, never their values, and its traceback without the
  exception's text (python-telegram-bot logs a whole unparseable getUpdates batch, texts and
  names included, at CRITICAL; a parse error's text may quote the data);
- `RedactSecrets` replaces anything shaped like a bot token in every record, its arguments, its
  extras and its traceback, before any of our handlers writes it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any, TextIO

TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
REDACTED = "[redacted token]"

# Loggers that carry request and reply bodies, URLs or SQL parameters below WARNING.
QUIET = ("telegram", "httpx", "httpcore", "aiohttp", "sqlalchemy", "aiosqlite", "asyncpg",
         "apscheduler", "alembic", "uvicorn", "starlette", "hpack", "matplotlib", "PIL",
         "aiosmtpd", "mail.log")

# Loggers that only chatter at INFO (transitions logs every state change of every flow)
NOISY = ("transitions",)

_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "taskName"}


def redact(text: str) -> str:
    return TOKEN.sub(REDACTED, text)


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """The fields passed with `extra=` (everything that is not a standard LogRecord attribute)."""
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD
            and not key.startswith("_")}


def _ours(name: str) -> bool:
    return name in ("root", "__main__") or name.split(".", 1)[0] in (
        "bot", "flows", "content", "bench", "tests")


class _Hidden:
    """An argument shown by its type alone, whether formatted with %s or %r."""

    def __init__(self, value: object) -> None:
        self.shown = f"<{type(value).__name__}>"

    def __str__(self) -> str:
        return self.shown

    __repr__ = __str__


class LibraryBodies(logging.Filter):
    """Library records carry no values: only the template, numbers and argument types, and a
    traceback's frames with the exception's type but not its text. Our own records (`bot.*`,
    which log ids, counts and types only) pass untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _ours(record.name):
            return True
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            shown = tuple(arg if isinstance(arg, int | float) and not isinstance(arg, bool)
                          else _Hidden(arg) for arg in args)
            try:
                record.msg = str(record.msg) % shown
            except (TypeError, ValueError, KeyError):
                record.msg = f"{record.msg} (arguments hidden)"
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = "".join(traceback.format_tb(error.__traceback__))
            record.exc_text = f"Traceback (most recent call last):\n{frames}{type(error).__name__}"
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = "(traceback hidden)"
        return True


class RedactSecrets(logging.Filter):
    """Replace anything shaped like a bot token, wherever it is in the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: keep them apart, as text
            message = f"{record.msg} {record.args!r}"
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        for key, value in extras(record).items():
            if isinstance(value, str):
                setattr(record, key, redact(value))
            elif value is not None and not isinstance(value, int | float | bool):
                text = repr(value)
                if TOKEN.search(text):
                    setattr(record, key, redact(text))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonLines(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in extras(record).items():
            entry.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class _Stderr(logging.StreamHandler):
    """Whatever `sys.stderr` is when a record is written (it may be swapped, as tests do)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:  # type: ignore[override]
        return sys.stderr


def configure_logging(level: str | int = "INFO", *, stream: TextIO | None = None) -> logging.Handler:
    """Send every record to `stream` (stderr) as JSON lines, at `level`; quiet the chatty
    libraries; redact tokens. Handlers other than ours (pytest's) are left alone."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "rise_json", False) or type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.rise_json = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonLines())
    handler.addFilter(LibraryBodies())  # first: RedactSecrets folds the arguments in
    handler.addFilter(RedactSecrets())
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for name in (*QUIET, *NOISY):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return handler
