"""The one parser of button (callback) data: `<prefix>:<part>:<part>...`.

Button data comes back from the phone, so a stale or forged client can send anything at all (up
to 64 bytes). Every handler that reads a part of it, and above all an id, reads it through here:
a number is ASCII digits only (`str.isdigit` also takes "٣" and "²", and `int("²")` raises) and
fits in a signed 64-bit integer; a row id fits the INTEGER id columns (32 bits on PostgreSQL,
which refuses a larger parameter). Anything else is no number at all. Pure, so flows may use it
(flows never import telegram or sqlalchemy).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_NUMBER = 2**63 - 1  # a signed 64-bit integer: PostgreSQL's BIGINT, SQLite's INTEGER
MAX_ROW_ID = 2**31 - 1  # the tables' INTEGER primary keys on PostgreSQL
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdef")


def parse_number(raw: str, maximum: int = MAX_NUMBER) -> int | None:
    """`raw` as a non-negative whole number, or None: ASCII digits only, at most `maximum`."""
    if not raw or len(raw) > 19 or not _DIGITS.issuperset(raw):
        return None
    value = int(raw)
    return value if value <= maximum else None


def parse_mask(raw: str, bits: int) -> int | None:
    """`raw` as a set of `bits` flags written in lower-case ASCII hex (`f"{mask:x}"`), or None."""
    if not raw or len(raw) > (bits + 3) // 4 or not _HEX.issuperset(raw):
        return None
    mask = int(raw, 16)
    return mask if mask < (1 << bits) else None


@dataclass(frozen=True)
class Callback:
    """Button data split at every ":"; `parts` are what follows the prefix."""

    prefix: str
    parts: tuple[str, ...]

    def part(self, index: int) -> str:
        """The part at `index` ("" when there is none)."""
        return self.parts[index] if 0 <= index < len(self.parts) else ""

    def number(self, index: int) -> int | None:
        """The part at `index` as a number (a choice, a message id), or None."""
        return parse_number(self.part(index))

    def row_id(self, index: int) -> int | None:
        """The part at `index` as the id of a row (an alert, a person, a job), or None."""
        return parse_number(self.part(index), MAX_ROW_ID)

    def rest(self, index: int) -> str:
        """Everything from the part at `index` on, ":" included ("" when there is none)."""
        return ":".join(self.parts[index:])


def parse(data: str | None) -> Callback:
    """Any button data at all, split; never raises."""
    prefix, *parts = (data or "").split(":")
    return Callback(prefix, tuple(parts))

