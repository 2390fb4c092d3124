"""Choose the model's thresholds on the DEV split: ``python -m bot.safety.tune``.

Recall comes first (a missed disclosure costs far more than a false alarm), so each level takes
the highest threshold whose recall on dev still clears its target with a margin - the highest,
because every point of threshold bought back is fewer false pages at 2 a.m. The margin is
measured, not guessed: other people's words are harder than the tuning writers', so each level's
margin is the smallest at which thresholds chosen on all dev writers but one still clear the
target on the writer left out, for every dev writer in turn (``held_out_margins``):

1. critical: critical messages rated critical;
2. high: high and critical messages paged;
3. medium: medium messages flagged;
4. veto: the highest model "ordinary" score under which a lexicon hit below critical becomes a
   kind question, without costing any recall on dev;
5. ask: the lowest p_high at which the bot asks the young person, keeping the questions this
   unsure band adds to at most ``ASK_BUDGET`` of negatives on dev.

Only the dev split is read; the card records its fingerprint (``tuned_on``). Run after
``bot.safety.train``, or alone after a lexicon change.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import yaml

from bot.safety.corpus import fingerprint, read_split, split_files
from bot.safety.detector import Detector
from bot.safety.reader import SafetyReader
from bot.safety.scoring import figures, read_cases
from bot.safety.semantic import CARD_FILE, MODEL_DIR, SemanticModel, Thresholds

TARGET = {"critical": 85.0, "high": 95.0, "medium": 85.0}  # recall, percent (issue 16)
LEVELS = (("critical", "critical"), ("high", "paged"), ("medium", "flagged"))  # level, figure
MARGINS = [float(m) for m in range(3, 13)]  # points of recall above a target on dev, tried in turn
ASK_BUDGET = 8.0  # percent of negatives the model's unsure band may ask about (veto questions apart)
GRID = [round(0.01 * i, 2) for i in range(1, 100)]


def writer_of(case) -> str:
    """Who wrote a dev message: each dev file is one writer's."""
    return case.example.source.rsplit(":", 1)[0]


def held_out_margins(cases, start: Thresholds) -> tuple[dict[str, float], dict[str, dict]]:
    """Each level's margin, in order (a later level's thresholds depend on the earlier ones),
    and the held-out writers' figures at that margin: {level: {writer: figure}}."""
    writers = sorted({writer_of(c) for c in cases})
    margins: dict[str, float] = {}
    shown: dict[str, dict] = {}
    for level, figure in LEVELS:
        for margin in MARGINS:
            got = {}
            for writer in writers:
                rest = [c for c in cases if writer_of(c) != writer]
                left_out = [c for c in cases if writer_of(c) == writer]
                t = _levels(rest, start, {**margins, level: margin})
                got[writer] = round(figures(left_out, t, "combined")[figure], 1)
            margins[level], shown[level] = margin, got
            if all(value >= TARGET[level] for value in got.values()):
                break
    return margins, shown


def _levels(cases, start: Thresholds, margins: dict[str, float]) -> Thresholds:
    t = start
    for level, figure in LEVELS:
        if level in margins:
            t = _highest_meeting(cases, t, level, figure, TARGET[level] + margins[level])
    return t


def choose(cases, start: Thresholds, margins: dict[str, float] | None = None) -> Thresholds:
    t = _levels(cases, start, margins or {level: MARGINS[0] for level, _ in LEVELS})
    base = figures(cases, t, "combined")
    best_veto = 0.0
    for veto in GRID[:60]:
        got = figures(cases, replace(t, veto=veto), "combined")
        if all(got[k] >= base[k] for k in ("paged", "critical", "flagged")):
            best_veto = veto
    t = replace(t, veto=best_veto)
    ask = t.high
    vetoed = figures(cases, replace(t, ask=ask), "combined").get("asked", 0.0)
    for candidate in sorted((g for g in GRID if g < t.high), reverse=True):
        got = figures(cases, replace(t, ask=candidate), "combined")
        if got.get("asked", 0.0) - vetoed > ASK_BUDGET:
            break
        ask = candidate
    return replace(t, ask=ask)


def _highest_meeting(cases, t: Thresholds, level: str, figure: str, target: float) -> Thresholds:
    """The highest threshold for ``level`` whose ``figure`` reaches ``target``; if none does,
    the one with the best figure (the lowest threshold among equals)."""
    best, best_value = None, -1.0
    for value in sorted(GRID, reverse=True):
        trial = replace(t, **{level: value})
        got = figures(cases, trial, "combined")[figure]
        if got >= target:
            return trial
        if got > best_value:
            best, best_value = trial, got
    return best or t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.safety.tune", description=__doc__)
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    model = SemanticModel.load(args.model)
    start = Thresholds(medium=0.5, high=0.5, critical=0.5, ask=0.5, veto=0.0)
    model.thresholds = start
    reader = SafetyReader(Detector.load(), model)
    dev = read_split("dev")
    cases = read_cases(dev, reader)
    margins, held_out = held_out_margins(cases, start)
    for level, got in held_out.items():
        print(f"{level}: margin {margins[level]:.0f} points; each writer left out, tuned on the "
              f"rest: {got} (target {TARGET[level]:.0f})")
    chosen = choose(cases, start, margins)
    card_path = args.model / CARD_FILE
    card = yaml.safe_load(card_path.read_text("utf-8"))
    card["thresholds"] = {k: getattr(chosen, k) for k in ("medium", "high", "critical", "ask",
                                                            "veto")}
    card["margins"] = margins
    card["held_out_writers"] = held_out
    card["tuned_on"] = fingerprint(split_files("dev"))
    card["dev_figures"] = {k: round(v, 1) for k, v in figures(cases, chosen, "combined").items()}
    card_path.write_text(yaml.safe_dump(card, sort_keys=False), "utf-8")
    print(f"thresholds chosen on {len(dev)} dev messages: {card['thresholds']}")
    print(f"dev figures (combined): {card['dev_figures']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
