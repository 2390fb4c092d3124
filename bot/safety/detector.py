"""Danger detector: every free-text message from a young person is scanned here first.

    detector = Detector.load()
    detector.scan("he's outside my house and won't leave").severity   # Severity.CRITICAL

How a message is read:

1. normalise (``bot.safety.normalise``): case, Unicode, leetspeak, repeats, spacing, emoji,
   text-speak - the lexicon phrases went through the same steps when they were loaded;
2. one pass of an Aho-Corasick automaton finds every lexicon phrase, lookalike, cue and
   negation word at once (cost does not grow with the size of the lexicon); phrases match
   whole words only; ``a ... b`` phrases allow up to 3 words between the parts;
3. context: a lookalike covering a match hides it, a negation just before a match lowers it by
   one level - neither ever touches a critical entry; rules in ``context.yaml`` combine cues
   across this message and the recent messages of the conversation;
4. the result is the highest severity, the categories and every match.

Message text is never logged.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, Literal

import ahocorasick
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.safety.normalise import CONTENT_DIR, Normaliser

GAP_WORDS = 3  # "a ... b": up to this many words between a and b
_SLOT = re.compile(r"<([a-z_]+)>")
_GAP = re.compile(r"\s*\.\.\.\s*|\s*…\s*")


class Severity(IntEnum):
    """How urgently a worker must see a message."""

    NONE = 0
    LOW = 1
    MEDIUM = 2  # flag to the assigned worker
    HIGH = 3  # page the duty worker
    CRITICAL = 4  # page at once; the young person is told to call 999

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Severity:
        return cls[label.upper()]


@dataclass(frozen=True)
class Match:
    """One lexicon entry (or context rule) that matched."""

    entry_id: str
    category: str
    severity: Severity
    phrase: str


@dataclass(frozen=True)
class Detection:
    """Result of scanning one message."""

    severity: Severity
    categories: tuple[str, ...]
    matches: tuple[Match, ...]

    def to_json(self, text: str) -> dict[str, Any]:
        return {
            "text": text,
            "severity": self.severity.label,
            "categories": list(self.categories),
            "matches": [
                {"entry_id": m.entry_id, "category": m.category, "severity": m.severity.label,
                 "phrase": m.phrase}
                for m in self.matches
            ],
        }


NOTHING = Detection(Severity.NONE, (), ())


class LexiconError(ValueError):
    """The safety content is broken; the message names the file and the entry."""


# --- content schema (what a safeguarding lead writes) -------------------------------------

SeverityLabel = Literal["low", "medium", "high", "critical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntryModel(_Strict):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9_.\-]+$")
    severity: SeverityLabel
    phrases: list[str] = Field(min_length=1)
    notes: str | None = None

    @field_validator("phrases")
    @classmethod
    def _phrases_are_text(cls, phrases: list[str]) -> list[str]:
        for phrase in phrases:
            if not isinstance(phrase, str) or not phrase.strip():
                raise ValueError("every phrase must be non-empty text")
        return phrases


class CategoryModel(_Strict):
    category: str = Field(pattern=r"^[a-z_]+$")
    description: str | None = None
    entries: list[dict[str, Any]] = Field(min_length=1)


class LookalikeModel(_Strict):
    id: str = Field(min_length=1)
    phrases: list[str] = Field(min_length=1)
    notes: str | None = None


class LookalikesModel(_Strict):
    lookalikes: list[LookalikeModel]


class ConditionModel(_Strict):
    seen: Literal["now", "earlier"]
    any: list[str] = Field(min_length=1)
    min_severity: SeverityLabel = "medium"


class RuleModel(_Strict):
    id: str
    description: str
    severity: SeverityLabel
    category: str
    all: list[ConditionModel] = Field(min_length=1)


class NegationModel(_Strict):
    window: int = Field(ge=1, le=10)
    words: list[str]


class ContextModel(_Strict):
    negation: NegationModel
    cues: dict[str, list[str]]
    rules: list[RuleModel]


# --- compiled form --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    id: str
    category: str
    severity: Severity


@dataclass
class _Gapped:
    """A phrase with '...' gaps: its parts, in order."""

    owner: tuple[str, int]  # ("entry", index) or ("look", index) ...
    parts: tuple[str, ...]
    phrase: str


@dataclass
class _Hits:
    """Everything found in one normalised text."""

    entries: list[tuple[int, str, int, int]] = field(default_factory=list)  # idx, phrase, s, e
    looks: list[tuple[int, int]] = field(default_factory=list)
    negs: list[int] = field(default_factory=list)  # word index just after a negation
    cues: set[str] = field(default_factory=set)


class Detector:
    """Scans messages against the safety lexicon. Build once with :meth:`load`."""

    def __init__(self, normaliser: Normaliser, entries: list[_Entry],
                 phrases: list[tuple[tuple[str, int], str, str]], context: ContextModel,
                 slots: dict[str, list[str]], origin: str = "") -> None:
        """``phrases``: (owner, written phrase, phrase with slots filled). Use :meth:`load`."""
        self.normaliser = normaliser
        self.entries = entries
        self.context = context
        self.negation_window = context.negation.window
        self.rules = context.rules
        self._payloads: dict[str, list[tuple]] = defaultdict(list)  # key -> what it means
        self._gapped: list[_Gapped] = []
        for owner, written, filled in phrases:
            self._add(owner, written, filled)
        for word in context.negation.words:
            self._add(("neg", 0), word, word)
        for name, cue_phrases in context.cues.items():
            for written in cue_phrases:
                for filled in _fill_slots(written, slots, f"context.yaml: cue {name}"):
                    self._add(("cue", name), written, filled)
        self.automaton = ahocorasick.Automaton()
        for key, payloads in self._payloads.items():
            self.automaton.add_word(key, (len(key), tuple(payloads)))
        self.automaton.make_automaton()
        # Keep only immutable data around: fewer objects for the garbage collector to walk.
        self.keys: tuple[str, ...] = tuple(self._payloads)
        del self._payloads
        self.origin = origin

    def _add(self, owner: tuple[str, Any], written: str, filled: str) -> None:
        parts = [self.normaliser.normalise(p) for p in _GAP.split(filled)]
        if any(not p for p in parts):
            raise LexiconError(f"phrase {written!r} has no words left after normalising")
        if len(parts) == 1:
            self._payloads[f" {parts[0]} "].append(("one", owner, filled))
            return
        index = len(self._gapped)
        self._gapped.append(_Gapped(owner, tuple(parts), filled))
        for part_no, part in enumerate(parts):
            self._payloads[f" {part} "].append(("part", index, part_no))

    # -- loading ------------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path | None = None) -> Detector:
        """Load and validate the safety content (default: ``content/safety`` in the package).

        ``directory`` holds ``lexicon/*.yaml`` (one file per category); ``slots.yaml``,
        ``lookalikes.yaml``, ``context.yaml``, ``emoji.yaml`` and ``textspeak.yaml`` are read
        from it when present and from the packaged content otherwise.
        Raises :class:`LexiconError` naming the file and entry when something is wrong.
        """
        directory = Path(directory) if directory is not None else CONTENT_DIR

        def pick(name: str) -> Path:
            own = directory / name
            return own if own.exists() else CONTENT_DIR / name

        try:
            normaliser = Normaliser.from_tables(
                _read_yaml(pick("emoji.yaml")), _read_yaml(pick("textspeak.yaml"))
            )
        except (ValueError, TypeError) as exc:
            raise LexiconError(f"emoji.yaml / textspeak.yaml: {exc}") from exc
        slots = _load_slots(pick("slots.yaml"))
        lexicon_dir = directory / "lexicon"
        files = sorted(lexicon_dir.glob("*.yaml"))
        if not files:
            raise LexiconError(f"no lexicon files (*.yaml) in {lexicon_dir}")

        entries: list[_Entry] = []
        phrases: list[tuple[tuple[str, int], str, str]] = []
        seen_ids: dict[str, str] = {}
        for path in files:
            data = _read_yaml(path)
            try:
                category = CategoryModel.model_validate(data)
            except ValidationError as exc:
                raise LexiconError(f"{path.name}: {_explain(exc)}") from exc
            if category.category != path.stem:
                raise LexiconError(
                    f"{path.name}: category is {category.category!r} but the file is named "
                    f"{path.stem!r}; they must be the same"
                )
            for number, raw in enumerate(category.entries, start=1):
                label = f"entry {raw.get('id', f'#{number}')!s}" if isinstance(raw, dict) else (
                    f"entry #{number}")
                try:
                    entry = EntryModel.model_validate(raw)
                except ValidationError as exc:
                    raise LexiconError(f"{path.name}: {label}: {_explain(exc)}") from exc
                if entry.id in seen_ids:
                    raise LexiconError(
                        f"{path.name}: entry {entry.id}: id already used in {seen_ids[entry.id]}"
                    )
                seen_ids[entry.id] = path.name
                index = len(entries)
                entries.append(
                    _Entry(entry.id, category.category, Severity.from_label(entry.severity))
                )
                where = f"{path.name}: entry {entry.id}"
                for written in entry.phrases:
                    for filled in _fill_slots(written, slots, where):
                        if not all(normaliser.normalise(p) for p in _GAP.split(filled)):
                            raise LexiconError(
                                f"{where}: phrase {written!r} has no words left after "
                                "normalising (only punctuation or unknown emoji?)"
                            )
                        phrases.append((("entry", index), written, filled))

        look_path = pick("lookalikes.yaml")
        try:
            looks = LookalikesModel.model_validate(_read_yaml(look_path))
        except ValidationError as exc:
            raise LexiconError(f"{look_path.name}: {_explain(exc)}") from exc
        for index, look in enumerate(looks.lookalikes):
            for written in look.phrases:
                for filled in _fill_slots(written, slots, f"lookalikes.yaml: {look.id}"):
                    phrases.append((("look", index), written, filled))

        context_path = pick("context.yaml")
        try:
            context = ContextModel.model_validate(_read_yaml(context_path))
        except ValidationError as exc:
            raise LexiconError(f"{context_path.name}: {_explain(exc)}") from exc
        categories = {e.category for e in entries}
        for rule in context.rules:
            for condition in rule.all:
                for ref in condition.any:
                    kind, _, name = ref.partition(":")
                    known = context.cues if kind == "cue" else categories if kind == "category" \
                        else None
                    if known is None or name not in known:
                        raise LexiconError(
                            f"context.yaml: rule {rule.id}: unknown {ref!r} "
                            "(use cue:<name> or category:<name>)"
                        )
        try:
            return cls(normaliser, entries, phrases, context, slots, origin=str(directory))
        except LexiconError as exc:
            raise LexiconError(f"{directory}: {exc}") from exc

    # -- scanning -------------------------------------------------------------------------------

    def scan(self, text: str, recent: Sequence[str] = ()) -> Detection:
        """Rate one message; ``recent`` are earlier messages of the same conversation."""
        matches, cues, cats = self._scan_one(text)
        if self.rules:
            earlier_cues = set(cues)
            earlier_cats = dict(cats)
            for old in recent:
                _, old_cues, old_cats = self._scan_one(old)
                earlier_cues |= old_cues
                for cat, sev in old_cats.items():
                    if sev > earlier_cats.get(cat, Severity.NONE):
                        earlier_cats[cat] = sev
            for rule in self.rules:
                if all(
                    _holds(c, cues, cats) if c.seen == "now"
                    else _holds(c, earlier_cues, earlier_cats)
                    for c in rule.all
                ):
                    matches[(f"rule.{rule.id}", rule.description)] = Match(
                        f"rule.{rule.id}", rule.category, Severity.from_label(rule.severity),
                        rule.description,
                    )
        if not matches:
            return NOTHING
        ordered = sorted(matches.values(), key=lambda m: -m.severity)
        categories = tuple(dict.fromkeys(m.category for m in ordered))
        return Detection(ordered[0].severity, categories, tuple(ordered))

    def _scan_one(self, text: str) -> tuple[dict, set[str], dict[str, Severity]]:
        matches: dict[tuple[str, str], Match] = {}
        cues: set[str] = set()
        for form in self.normaliser.variants(text):
            if not form:
                continue
            hits = self._find(form)
            cues |= hits.cues
            for index, phrase, start, end in hits.entries:
                entry = self.entries[index]
                severity = entry.severity
                if severity < Severity.CRITICAL:
                    if any(ls < end and start < le for ls, le in hits.looks):
                        continue
                    if any(start - self.negation_window <= n <= start for n in hits.negs):
                        severity = Severity(severity - 1)
                        if severity == Severity.NONE:
                            continue
                key = (entry.id, phrase)
                old = matches.get(key)
                if old is None or severity > old.severity:
                    matches[key] = Match(entry.id, entry.category, severity, phrase)
        cats: dict[str, Severity] = {}
        for m in matches.values():
            if m.severity > cats.get(m.category, Severity.NONE):
                cats[m.category] = m.severity
        return matches, cues, cats

    def _find(self, form: str) -> _Hits:
        """All automaton hits in one normalised form, as word spans [start, end)."""
        hay = f" {form} "
        hits = _Hits()
        parts: dict[int, list[list[tuple[int, int]]]] = {}
        for last, (length, payloads) in self.automaton.iter(hay):
            first = last - length + 1
            start = hay.count(" ", 0, first + 1) - 1
            end = start + hay.count(" ", first + 1, last) + 1
            for payload in payloads:
                kind = payload[0]
                if kind == "one":
                    owner_kind, ref = payload[1]
                    if owner_kind == "entry":
                        hits.entries.append((ref, payload[2], start, end))
                    elif owner_kind == "look":
                        hits.looks.append((start, end))
                    elif owner_kind == "neg":
                        hits.negs.append(end)
                    else:
                        hits.cues.add(ref)
                else:
                    _, index, part_no = payload
                    gapped = self._gapped[index]
                    slots = parts.setdefault(index, [[] for _ in gapped.parts])
                    slots[part_no].append((start, end))
        for index, spans in parts.items():
            if not all(spans):
                continue
            span = _chain(spans)
            if span is None:
                continue
            gapped = self._gapped[index]
            owner_kind, ref = gapped.owner
            if owner_kind == "entry":
                hits.entries.append((ref, gapped.phrase, span[0], span[1]))
            elif owner_kind == "look":
                hits.looks.append(span)
            elif owner_kind == "cue":
                hits.cues.add(ref)
        return hits

    def naive_scan(self, text: str) -> bool:
        """Baseline for the benchmark: a loop of ``in`` checks over the same phrases."""
        hay = f" {self.normaliser.normalise(text)} "
        return any(key in hay for key in self.keys)


def _chain(spans: list[list[tuple[int, int]]]) -> tuple[int, int] | None:
    """First way to pick one span per part, in order, each within GAP_WORDS of the last."""

    def follow(part_no: int, prev_end: int) -> int | None:
        if part_no == len(spans):
            return prev_end
        for start, end in spans[part_no]:
            if prev_end <= start <= prev_end + GAP_WORDS:
                found = follow(part_no + 1, end)
                if found is not None:
                    return found
        return None

    for start, end in spans[0]:
        found = follow(1, end)
        if found is not None:
            return (start, found)
    return None


def _holds(condition: ConditionModel, cues: set[str], cats: dict[str, Severity]) -> bool:
    minimum = Severity.from_label(condition.min_severity)
    for ref in condition.any:
        kind, _, name = ref.partition(":")
        if kind == "cue" and name in cues:
            return True
        if kind == "category" and cats.get(name, Severity.NONE) >= minimum:
            return True
    return False


def _fill_slots(phrase: str, slots: dict[str, list[str]], where: str) -> Iterable[str]:
    """'<he> is outside' -> 'he is outside', 'she is outside', ..."""
    names = _SLOT.findall(phrase)
    if not names:
        return [phrase]
    for name in names:
        if name not in slots:
            raise LexiconError(
                f"{where}: phrase {phrase!r} uses <{name}>, which is not in slots.yaml "
                f"(known: {', '.join(sorted(slots))})"
            )
    pieces = _SLOT.split(phrase)  # text, name, text, name, ...
    choices = [[p] if i % 2 == 0 else slots[p] for i, p in enumerate(pieces)]
    return ["".join(combo) for combo in itertools.product(*choices)]


def _load_slots(path: Path) -> dict[str, list[str]]:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise LexiconError(f"{path.name}: expected 'name: [word, word, ...]' lines")
    slots: dict[str, list[str]] = {}
    for name, words in data.items():
        if not isinstance(words, list) or not all(isinstance(w, str | int) for w in words):
            raise LexiconError(f"{path.name}: slot {name}: expected a list of words")
        slots[str(name)] = [str(w) for w in words]
    return slots


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path.name}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise LexiconError(f"{path.name}: cannot read: {exc}") from exc


def _explain(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error["loc"])
        parts.append(f"{loc}: {error['msg']}" if loc else error["msg"])
    return "; ".join(parts)
