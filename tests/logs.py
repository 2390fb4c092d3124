"""Logging as `rise-bot` configures it, captured into a string, for tests that read the logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.app.logging_setup import NOISY, QUIET, configure_logging


@contextmanager
def production_logs(level: str = "DEBUG") -> Iterator[io.StringIO]:
    """`configure_logging(level)` into a string; the logging set-up is put back afterwards."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers),
             {name: logging.getLogger(name).level for name in (*QUIET, *NOISY)})
    stream = io.StringIO()
    configure_logging(level, stream=stream)
    try:
        yield stream
    finally:
        level_before, handlers, levels = saved
        root.setLevel(level_before)
        root.handlers[:] = handlers
        for name, value in levels.items():
            logging.getLogger(name).setLevel(value)
