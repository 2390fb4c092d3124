"""Times people type: "21:30", "9.30pm", "9pm". Shared by the timer flow and the scheduler."""

from __future__ import annotations

import re
from datetime import time

_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def parse_time(text: str) -> time | None:
    """"21:30", "9.30pm", "9pm" -> a time; anything else (or "9" alone) -> None."""
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def parse_hhmm(text: str) -> str | None:
    parsed = parse_time(text)
    return hhmm(parsed) if parsed else None
