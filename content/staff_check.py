"""Part of `rise-bot content check`: every `staff.` key the code uses is in `content/staff.yaml`,
and every call that reads one fills in all its placeholders.

The code names workers' words by key (`desk.say("staff.note.saved", label=...)`), so a
safeguarding lead can change the words without touching code; this check makes sure the two
still agree: a key spelled wrong, or a placeholder the code does not fill, would otherwise reach
a worker's phone as `staff.note.saevd` or `{label}`. A key built at run time
(`f"staff.role.{role}"`) is checked by its fixed start, and its placeholders are not.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Formatter

from content.loader import Problem

CODE_DIR = Path(__file__).resolve().parent.parent / "bot"
KEY = re.compile(r"staff\.[a-z0-9_]+(\.[a-z0-9_]+)*")
KEY_START = re.compile(r"staff\.([a-z0-9_]+\.)*")


@dataclass(frozen=True)
class KeyUse:
    """One place the code names a staff key."""

    file: str
    line: int
    key: str
    filled: frozenset[str] | None  # the placeholders the call fills; None: cannot tell
    whole: bool = True  # False: only the key's start is fixed (an f-string)


def placeholders(text: str) -> set[str]:
    """The {names} a text expects."""
    return {re.split(r"[.\[]", name)[0] for _, name, _, _ in Formatter().parse(text) if name}


def key_uses(code_dir: Path = CODE_DIR) -> Iterator[KeyUse]:
    """Every staff key named in the code under `code_dir`."""
    for path in sorted(code_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        file = str(path.relative_to(code_dir.parent))
        filled: dict[int, frozenset[str] | None] = {}  # id(first argument) -> what it fills
        in_fstrings: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                names = (None if any(k.arg is None for k in node.keywords)
                         else frozenset(str(k.arg) for k in node.keywords))
                first = node.args[0]
                for arg in ((first.body, first.orelse) if isinstance(first, ast.IfExp) else (first,)):
                    filled[id(arg)] = names
            if isinstance(node, ast.JoinedStr):
                in_fstrings.update(id(value) for value in node.values)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in in_fstrings and KEY.fullmatch(node.value):
                yield KeyUse(file, node.lineno, node.value, filled.get(id(node)))
            elif isinstance(node, ast.JoinedStr) and node.values \
                    and isinstance(node.values[0], ast.Constant):
                start = KEY_START.fullmatch(str(node.values[0].value))
                if start and start.group(0) != "staff.":
                    yield KeyUse(file, node.lineno, start.group(0), filled.get(id(node)),
                                 whole=False)


def staff_problems(copy: Mapping[str, str], code_dir: Path = CODE_DIR,
                   file: str = "staff.yaml") -> list[Problem]:
    """Keys the code uses that `copy` (the loaded words, `staff.`-keyed) lacks, and calls that
    leave one of a text's placeholders empty."""
    problems: list[Problem] = []
    for use in key_uses(code_dir):
        where = f"{use.file}:{use.line}"
        texts = ([copy[use.key]] if use.key in copy else []) if use.whole else \
            [text for key, text in copy.items() if key.startswith(use.key)]
        if not texts:
            what = "key" if use.whole else "keys starting"
            problems.append(Problem(file, use.key.removeprefix("staff."),
                                    f"the code ({where}) uses the {what} {use.key!r}, "
                                    "which is not in the file"))
            continue
        if use.filled is None or not use.whole:  # a key's start names texts of all shapes
            continue
        missing = placeholders(texts[0]) - use.filled
        if missing:
            problems.append(Problem(file, use.key.removeprefix("staff."),
                                    f"the code ({where}) leaves {sorted(missing)} unfilled"))
    return problems
