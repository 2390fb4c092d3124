"""Figures for the detector on a labelled split, per channel: shared by tuning and evaluation.

Each message is read once (lexicon and model, alone and with its earlier messages); rating it
under some thresholds is then pure arithmetic, so the tuning can try thousands of thresholds.

The five figures (the targets in issue 16):

    paged       high and critical messages rated high or above         >= 95%
    critical    critical messages rated critical                       >= 85%
    flagged     medium messages rated medium or above                  >= 85%
    ordinary    ordinary chat rated medium or above                    <= 5%
    lookalike   hard negatives rated medium or above                   <= 10%

"asked" (the bot asks the young person instead of paging) is counted apart: it reaches no
worker unless they say so or leave the question unanswered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.safety.corpus import Example
from bot.safety.detector import Detection, Severity
from bot.safety.reader import SafetyReader, combine
from bot.safety.semantic import Reading, Thresholds

CHANNELS = ("lexicon", "model", "combined")
TARGETS = {"paged": (95.0, "min"), "critical": (85.0, "min"), "flagged": (85.0, "min"),
           "ordinary": (5.0, "max"), "lookalike": (10.0, "max")}
DESCRIPTIONS = {
    "paged": "high+critical paged (high or above)",
    "critical": "critical rated critical",
    "flagged": "medium flagged (medium or above)",
    "ordinary": "ordinary chat flagged (medium+)",
    "lookalike": "hard look-alikes flagged (medium+)",
}


@dataclass(frozen=True)
class Case:
    """One labelled message with what each channel found in it."""

    example: Example
    lexicon: Detection
    reading: Reading | None
    context: Reading | None  # read together with the earlier messages
    earlier: tuple[tuple[Detection, Reading | None], ...]


def read_cases(examples: Sequence[Example], reader: SafetyReader) -> list[Case]:
    """Run both channels over every example (the model in batches)."""
    model = reader.model
    alone = model.read_many([ex.text for ex in examples]) if model else [None] * len(examples)
    with_context = [i for i, ex in enumerate(examples) if ex.earlier]
    context: dict[int, Reading] = {}
    earlier_readings: dict[int, list[Reading | None]] = {}
    if model and with_context:
        together = model.read_many([examples[i].text for i in with_context],
                                   [examples[i].earlier for i in with_context])
        context = dict(zip(with_context, together, strict=True))
        for i in with_context:
            earlier_readings[i] = list(model.read_many(list(examples[i].earlier)))
    cases = []
    for i, ex in enumerate(examples):
        lexicon = reader.lexicon.scan(ex.text, list(ex.earlier))
        earlier = tuple(
            (reader.lexicon.scan(old), (earlier_readings.get(i) or [None] * len(ex.earlier))[j])
            for j, old in enumerate(ex.earlier))
        cases.append(Case(ex, lexicon, alone[i], context.get(i), earlier))
    return cases


def rate(case: Case, thresholds: Thresholds | None, channel: str) -> tuple[Severity, bool]:
    """(severity, asked) for one channel: ``lexicon``, ``model`` or ``combined``."""
    if channel == "lexicon" or thresholds is None or case.reading is None:
        return (case.lexicon.severity, False) if channel != "model" else (Severity.NONE, False)
    top = Severity.NONE
    for lexicon, reading in case.earlier:
        before = _rate_parts(lexicon, reading, thresholds, channel)
        top = max(top, before)
    lexicon = case.lexicon if channel == "combined" else Detection(Severity.NONE, (), ())
    severity, model, ask = combine(lexicon, case.reading, thresholds, case.context, top)
    return severity, ask


def _rate_parts(lexicon: Detection, reading: Reading | None, thresholds: Thresholds,
                channel: str) -> Severity:
    if channel == "model":
        lexicon = Detection(Severity.NONE, (), ())
    return combine(lexicon, reading, thresholds)[0]


def figures(cases: Sequence[Case], thresholds: Thresholds | None, channel: str
            ) -> dict[str, float]:
    """The five figures (percentages), plus ``asked``: negatives the bot would ask about."""
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        severity, asked = rate(case, thresholds, channel)
        label = case.example.severity
        if label >= Severity.HIGH:
            _count(hits["paged"], severity >= Severity.HIGH)
        if label == Severity.CRITICAL:
            _count(hits["critical"], severity == Severity.CRITICAL)
        if label == Severity.MEDIUM:
            _count(hits["flagged"], severity >= Severity.MEDIUM)
        if label == Severity.NONE:
            _count(hits[case.example.category], severity >= Severity.MEDIUM)
            _count(hits["asked"], asked and severity < Severity.MEDIUM)
    return {name: 100.0 * got / total if total else 0.0 for name, (got, total) in hits.items()}


def _count(cell: list[int], ok: bool) -> None:
    cell[0] += ok
    cell[1] += 1


def per_category(cases: Sequence[Case], thresholds: Thresholds | None, channel: str
                 ) -> dict[str, tuple[int, int]]:
    """Per danger category: (messages reaching their level, messages)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        label = case.example.severity
        if label < Severity.MEDIUM:
            continue
        severity, _ = rate(case, thresholds, channel)
        needed = Severity.HIGH if label >= Severity.HIGH else Severity.MEDIUM
        _count(out[case.example.category], severity >= needed)
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


def meets(values: dict[str, float]) -> dict[str, bool]:
    return {name: (values.get(name, 0.0) >= target if kind == "min"
                   else values.get(name, 0.0) <= target)
            for name, (target, kind) in TARGETS.items()}


def misses(cases: Sequence[Case], thresholds: Thresholds | None, channel: str) -> list[tuple]:
    """(case, rated severity) for each message that missed its level, or a flagged negative."""
    out = []
    for case in cases:
        severity, _ = rate(case, thresholds, channel)
        label = case.example.severity
        needed = Severity.HIGH if label >= Severity.HIGH else label
        wrong = severity < needed if label >= Severity.MEDIUM else severity >= Severity.MEDIUM
        if wrong or (label == Severity.CRITICAL and severity < Severity.CRITICAL):
            out.append((case, severity))
    return out
