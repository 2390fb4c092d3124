"""Words the bot must never say: victim-blaming, adult-world words, promises of secrecy.

The list is data (`language_rules.yaml`) so the team can add to it without touching Python.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).resolve().parent / "language_rules.yaml"


@dataclass(frozen=True)
class Rule:
    """One kind of wrong language, with what to say instead."""

    name: str
    why: str
    instead: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Hit:
    """A banned phrase found in a text."""

    rule: Rule
    phrase: str


def normalise(text: str) -> str:
    """Unicode NFKC, straight quotes, single spaces: so a curly apostrophe cannot hide a phrase."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2011", "-").replace("\u2010", "-")
    return re.sub(r"\s+", " ", text)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in normalise(phrase).strip().split(" ")]
    start = r"\b" if phrase[:1].isalnum() else ""
    end = r"\b" if phrase[-1:].isalnum() else ""
    return re.compile(start + r"\s+".join(words) + end, re.IGNORECASE)


def load_rules(path: Path | None = None) -> list[Rule]:
    """The rules from the YAML file; a malformed rule raises ValueError naming it."""
    data = yaml.safe_load((path or RULES_FILE).read_text(encoding="utf-8"))
    rules: list[Rule] = []
    for number, raw in enumerate(data.get("rules", []), start=1):
        name = raw.get("name", f"rule {number}")
        try:
            patterns = [_phrase_pattern(str(p)) for p in raw.get("phrases", [])]
            patterns += [re.compile(str(p), re.IGNORECASE) for p in raw.get("patterns", [])]
        except re.error as error:
            raise ValueError(f"{name}: bad pattern ({error})") from error
        rules.append(
            Rule(name, raw.get("why", ""), raw.get("instead", ""), tuple(patterns))
        )
    return rules


@cache
def default_rules() -> tuple[Rule, ...]:
    """The packaged rules, loaded once."""
    return tuple(load_rules())


def load_source_triggers(path: Path | None = None) -> tuple[re.Pattern[str], ...]:
    """Phrases that make a step a legal claim, which must then name its sources."""
    data = yaml.safe_load((path or RULES_FILE).read_text(encoding="utf-8"))
    return tuple(_phrase_pattern(str(p)) for p in data.get("needs_source", []))


def load_never_graded(path: Path | None = None) -> tuple[re.Pattern[str], ...]:
    """Words that make a question about blame: such a question is a choice, never a quiz."""
    data = yaml.safe_load((path or RULES_FILE).read_text(encoding="utf-8"))
    return tuple(_phrase_pattern(str(p)) for p in data.get("never_graded", []))


def load_negative_questions(path: Path | None = None) -> tuple[re.Pattern[str], ...]:
    """Patterns of negative questions ("Which is NOT..."); case counts unless they say (?i)."""
    data = yaml.safe_load((path or RULES_FILE).read_text(encoding="utf-8"))
    return tuple(re.compile(str(p)) for p in data.get("negative_questions", []))


def first_match(text: str, patterns: tuple[re.Pattern[str], ...]) -> str | None:
    """The first of the patterns found in the text (normalised), or None."""
    clean = normalise(text)
    for pattern in patterns:
        match = pattern.search(clean)
        if match:
            return match.group(0)
    return None


def legal_claims(text: str, triggers: tuple[re.Pattern[str], ...]) -> list[str]:
    """The legal-claim phrases in a text."""
    clean = normalise(text)
    return [match.group(0) for pattern in triggers for match in pattern.finditer(clean)]


def find_banned(text: str, rules: tuple[Rule, ...] | list[Rule] | None = None) -> list[Hit]:
    """Every banned phrase in a text, in reading order; overlapping matches count once."""
    clean = normalise(text)
    found: list[tuple[int, int, Rule, str]] = []
    for rule in default_rules() if rules is None else rules:
        for pattern in rule.patterns:
            for match in pattern.finditer(clean):
                found.append((match.start(), match.end(), rule, match.group(0)))
    # One hit for one stretch of text: "child prostitute" is reported, not also "prostitute".
    found.sort(key=lambda hit: (hit[0], -(hit[1] - hit[0])))
    hits: list[Hit] = []
    covered_to = -1
    for start, end, rule, phrase in found:
        if start >= covered_to:
            hits.append(Hit(rule, phrase))
            covered_to = max(covered_to, end)
    return hits
