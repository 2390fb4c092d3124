"""Both channels together: the lexicon (code words, fixed phrases) and the model (meaning).

    reader = SafetyReader.load()
    verdict = reader.read("hes here", earlier=[Earlier("im scared of my ex", Severity.MEDIUM)])
    verdict.severity    # Severity.CRITICAL

How they combine, so each covers the other's weakness:

* the rating is the higher of the two channels: the model hears what the lexicon has no words
  for, the lexicon knows rare code words the model never learnt;
* when the channels disagree - a lexicon hit below critical in a message the model is sure is
  ordinary (``p_medium`` under ``veto``: a look-alike, a joke, a lyric) - nobody is woken: the
  bot asks the young person kindly instead (silence or *tell a worker* flags their own worker),
  so a rare code word still reaches a person. Nothing ever lowers a critical hit;
* earlier messages of the last minutes are read with this one; together they count only when
  they rate higher than the earlier messages did alone ("hes here" after "im scared of my ex");
* when the model is unsure whether it is a same-day matter (``ask <= p_high < high``) and
  nothing rated it high, the bot asks the young person kindly instead of waking the duty worker.

Thresholds live in ``content/safety/model/model.yaml`` and were chosen on the dev split.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.safety.detector import Detection, Detector, Match, Severity
from bot.safety.semantic import QUIET, ModelUnavailable, Reading, SemanticModel, Thresholds, prepare

log = logging.getLogger(__name__)
QUOTE_CHARS = 300  # a long message is quoted around its most worrying part, at most this long


@dataclass(frozen=True)
class Earlier:
    """A message sent a little before this one, and how it was rated then."""

    text: str
    severity: Severity


@dataclass(frozen=True)
class Verdict:
    """How worrying one message is, and why (never logged: it may hold their words)."""

    severity: Severity
    categories: tuple[str, ...]
    lexicon: Detection
    model: Severity  # what the model alone rated it (NONE when it is not loaded)
    reading: Reading
    ask: bool  # unsure: ask the young person rather than page
    quote: str  # the part of the message around the danger; "" below medium (nobody is shown it)

    @property
    def channels(self) -> tuple[str, ...]:
        """Which channels rated it at its severity (for the report of outcomes)."""
        out = []
        if self.lexicon.severity >= self.severity > Severity.NONE:
            out.append("lexicon")
        if self.model >= self.severity > Severity.NONE:
            out.append("model")
        return tuple(out)

    @property
    def matches(self) -> tuple[Match, ...]:
        return self.lexicon.matches


def model_severity(reading: Reading, t: Thresholds) -> Severity:
    if reading.p_critical >= t.critical:
        return Severity.CRITICAL
    if reading.p_high >= t.high:
        return Severity.HIGH
    if reading.p_medium >= t.medium:
        return Severity.MEDIUM
    return Severity.NONE


def combine(lexicon: Detection, reading: Reading | None, thresholds: Thresholds | None,
            context_reading: Reading | None = None, earlier_top: Severity = Severity.NONE
            ) -> tuple[Severity, Severity, bool]:
    """(combined severity, model severity, ask) from what each channel found: pure, so the
    tuning can try thresholds without running the network again."""
    if reading is None or thresholds is None:
        return lexicon.severity, Severity.NONE, False
    model = model_severity(reading, thresholds)
    if context_reading is not None:
        in_context = model_severity(context_reading, thresholds)
        if in_context > max(earlier_top, model):
            model = in_context
    lex = lexicon.severity
    # the channels disagree: a lexicon hit below critical that the model is sure is ordinary
    # (a look-alike, a joke, a song) becomes a kind question to the young person; *tell a
    # worker*, or silence, flags their own worker, so a rare code word still reaches a person.
    # On dev, every look-alike the lexicon paged and the model was sure of scored p_medium
    # under 0.01, every real danger the lexicon alone caught 0.08 or more (docs/detector.md)
    disagree = Severity.NONE < lex < Severity.CRITICAL and model == Severity.NONE \
        and reading.p_medium < thresholds.veto
    if disagree:
        lex = Severity.NONE
    severity = max(lex, model)
    unsure = max(reading.p_high, context_reading.p_high if context_reading else 0.0) \
        >= thresholds.ask
    ask = severity < Severity.MEDIUM and (disagree or unsure)  # a flag needs no question
    return severity, model, ask


class SafetyReader:
    """The detector the bot runs: lexicon always, the model when it loaded."""

    def __init__(self, lexicon: Detector, model: SemanticModel | None, why_not: str = ""):
        self.lexicon = lexicon
        self.model = model if model is not None and model.thresholds is not None else None
        self.why_not = why_not or ("" if self.model else "the model has no thresholds")

    @classmethod
    def load(cls, content: Path | None = None, model_dir: Path | None = None) -> SafetyReader:
        """The lexicon must load (a broken lexicon stops the bot); the model may not, and then
        the lexicon runs alone and the reason is logged (``/healthz`` says degraded)."""
        lexicon = Detector.load(content)
        try:
            model = SemanticModel.load(model_dir)
        except ModelUnavailable as exc:
            log.error("semantic model not loaded: the lexicon runs alone",
                      extra={"reason": str(exc)})
            return cls(lexicon, None, str(exc))
        reader = cls(lexicon, model)
        if reader.model is None:
            log.error("semantic model not loaded: the lexicon runs alone",
                      extra={"reason": reader.why_not})
        return reader

    @property
    def degraded(self) -> bool:
        return self.model is None

    def read(self, text: str, earlier: Sequence[Earlier] = ()) -> Verdict:
        lexicon = self.lexicon.scan(text, [e.text for e in earlier])
        if self.model is None:
            return _lexicon_only(text, lexicon, self.lexicon)
        try:
            reading = self.model.read(text)
            context = self.model.read(text, [e.text for e in earlier]) if earlier else None
        except Exception as error:  # the lexicon's rating must never be lost with the model's
            log.error("semantic model failed on a message: the lexicon's rating stands",
                      extra={"error_type": type(error).__name__})
            return _lexicon_only(text, lexicon, self.lexicon)
        top = max((e.severity for e in earlier), default=Severity.NONE)
        severity, model, ask = combine(lexicon, reading, self.model.thresholds, context, top)
        categories = list(lexicon.categories) if lexicon.severity >= severity else []
        if model >= severity > Severity.NONE or ask:
            best = context if context is not None and context.p_high > reading.p_high else reading
            categories.append(best.category)
        categories.extend(c for c in lexicon.categories if c not in categories)
        # quoting a long message re-reads it window by window with the lexicon (bench/detector.py,
        # 500 characters: 1.6 ms of 12.6 at p50), so only a message a worker will see is quoted
        said = quote(text, self.lexicon, around=reading.span,
                     lexicon_first=lexicon.severity >= severity) \
            if severity >= Severity.MEDIUM else ""
        return Verdict(severity, tuple(dict.fromkeys(categories)), lexicon, model, reading, ask,
                       said)

    def quote(self, text: str) -> str:
        """An earlier message, as a worker is shown it beside the one that raised an alert."""
        return quote(text, self.lexicon)


def _lexicon_only(text: str, lexicon: Detection, detector: Detector) -> Verdict:
    said = quote(text, detector) if lexicon.severity >= Severity.MEDIUM else ""
    return Verdict(lexicon.severity, lexicon.categories, lexicon, Severity.NONE, QUIET, False,
                   said)


QUOTE_STEP = 40  # characters between the windows a long message is read in, to find the danger


def quote(text: str, detector: Detector, *, around: tuple[int, int] | None = None,
          lexicon_first: bool = True) -> str:
    """What a worker is shown of one message: all of it when short; for a long one (a 4,000
    character message) the QUOTE_CHARS around the danger, never simply its first characters.

    The danger is found by reading the message in overlapping windows with the lexicon: the
    window it rates highest (most matches on a tie, then the one nearest ``around``, the part
    the model found most worrying) is quoted. With no lexicon hit anywhere, or when the model
    raised it and the lexicon did not (``lexicon_first=False``), the ``around`` span is quoted;
    with neither, the beginning. Cut at spaces, marked with "…".
    """
    prepared = prepare(text)
    if len(prepared) <= QUOTE_CHARS:
        return prepared
    centre = (around[0] + around[1]) // 2 if around and around != (0, 0) else None
    last = len(prepared) - QUOTE_CHARS
    rated: list[tuple[tuple[Severity, int], int]] = []
    for start in [*range(0, last, QUOTE_STEP), last] if lexicon_first or centre is None else []:
        found = detector.scan(prepared[start:start + QUOTE_CHARS])
        if found.severity > Severity.NONE:
            rated.append(((found.severity, len(found.matches)), start))
    if rated:
        top = max(score for score, _ in rated)
        starts = [start for score, start in rated if score == top]
        # the danger is in every one of these windows: the middle one has it in its middle
        begin = (min(starts, key=lambda s: abs(s + QUOTE_CHARS // 2 - centre))
                 if centre is not None else starts[len(starts) // 2])
    else:
        begin = max(0, min(centre - QUOTE_CHARS // 2, last)) if centre is not None else 0
    return _cut(prepared, begin)


def _cut(text: str, begin: int) -> str:
    """QUOTE_CHARS of `text` from about `begin`, moved to whole words."""
    end = min(len(text), begin + QUOTE_CHARS)
    if begin > 0:
        space = text.find(" ", begin, begin + 20)
        begin = space + 1 if space >= 0 else begin
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        end = space if space > begin else end
    return ("…" if begin > 0 else "") + text[begin:end] + ("…" if end < len(text) else "")
