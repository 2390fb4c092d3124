"""Choose the model's thresholds on the DEV split: ``python -m bot.safety.tune``.

Recall comes first (a missed disclosure costs far more than a false alarm), so each level takes
the highest threshold whose recall on dev still clears its target with a margin - the highest,
because every point of threshold bought back is fewer false pages at 2 a.m.:

1. critical: critical messages rated critical;
2. high: high and critical messages paged;
3. medium: medium messages flagged;
4. veto: the highest model "ordinary" score under which a lexicon hit is lowered one level,
   without costing any recall on dev;
5. ask: the lowest p_high at which the bot asks the young person, keeping questions to at most
   ``ASK_BUDGET`` of ordinary messages on dev.

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

MARGIN = 3.0  # points of recall above each target on dev: other people's words are harder
RECALL = {"critical": 85.0 + MARGIN, "high": 95.0 + MARGIN, "medium": 85.0 + MARGIN}
ASK_BUDGET = 8.0  # percent of ordinary and look-alike messages the bot may ask about
GRID = [round(0.01 * i, 2) for i in range(1, 100)]


def choose(cases, start: Thresholds) -> Thresholds:
    t = start
    for level, figure in (("critical", "critical"), ("high", "paged"), ("medium", "flagged")):
        t = _highest_meeting(cases, t, level, figure, RECALL[level])
    base = figures(cases, t, "combined")
    best_veto = 0.0
    for veto in GRID[:60]:
        got = figures(cases, replace(t, veto=veto), "combined")
        if all(got[k] >= base[k] for k in ("paged", "critical", "flagged")):
            best_veto = veto
    t = replace(t, veto=best_veto)
    ask = t.high
    for candidate in sorted((g for g in GRID if g < t.high), reverse=True):
        got = figures(cases, replace(t, ask=candidate), "combined")
        if got.get("asked", 0.0) > ASK_BUDGET:
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
    chosen = choose(cases, start)
    card_path = args.model / CARD_FILE
    card = yaml.safe_load(card_path.read_text("utf-8"))
    card["thresholds"] = {k: getattr(chosen, k) for k in ("medium", "high", "critical", "ask",
                                                            "veto")}
    card["tuned_on"] = fingerprint(split_files("dev"))
    card["dev_figures"] = {k: round(v, 1) for k, v in figures(cases, chosen, "combined").items()}
    card_path.write_text(yaml.safe_dump(card, sort_keys=False), "utf-8")
    print(f"thresholds chosen on {len(dev)} dev messages: {card['thresholds']}")
    print(f"dev figures (combined): {card['dev_figures']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
