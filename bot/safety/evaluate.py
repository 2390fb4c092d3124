"""Honest figures: ``rise-bot safety evaluate [--split test|dev|train] [--misses]``.

Scores the lexicon alone, the model alone and both combined (what the bot runs) on one split of
the v2 corpus (default: ``test``, written by someone who never saw the training data, the dev
data or the lexicon, and never used to choose anything). Prints the five figures with their
targets, "asked" (negatives the bot would ask about rather than flag), and recall per category.
Exit status 1 when the combined detector misses a target.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.safety.corpus import read_file, read_split, split_files
from bot.safety.reader import SafetyReader
from bot.safety.scoring import (
    CHANNELS,
    DESCRIPTIONS,
    TARGETS,
    figures,
    meets,
    misses,
    per_category,
    read_cases,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rise-bot safety evaluate", description=__doc__)
    parser.add_argument("--split", choices=("test", "dev", "train"), default="test")
    parser.add_argument("--file", type=Path, action="append",
                        help="score these corpus files instead of a split")
    parser.add_argument("--misses", action="store_true",
                        help="also list what the combined detector missed (prints corpus text)")
    args = parser.parse_args(argv)
    reader = SafetyReader.load()
    if args.file:
        examples = [ex for path in args.file for ex in read_file(path)]
        name = ", ".join(p.name for p in args.file)
    else:
        examples = read_split(args.split)
        name = f"{args.split} split ({', '.join(p.name for p in split_files(args.split))})"
    thresholds = reader.model.thresholds if reader.model else None
    if reader.degraded:
        print(f"note: the model is not loaded ({reader.why_not}); model figures are empty")
    cases = read_cases(examples, reader)
    print(f"{name}: {len(examples)} messages")
    table = {channel: figures(cases, thresholds, channel) for channel in CHANNELS}
    print(f"  {'':<40} {'lexicon':>8} {'model':>8} {'combined':>9}   target")
    for key, (target, kind) in TARGETS.items():
        values = " ".join(f"{table[c].get(key, 0.0):7.1f}%" for c in CHANNELS)
        mark = "ok" if meets(table["combined"])[key] else "MISSED"
        print(f"  {DESCRIPTIONS[key]:<40} {values}   {'>=' if kind == 'min' else '<='}"
              f"{target:g}%  {mark}")
    print(f"  {'negatives asked about (not flagged)':<40} "
          + " ".join(f"{table[c].get('asked', 0.0):7.1f}%" for c in CHANNELS))
    print("  per category: messages reaching their level (high+ for high/critical, medium+ for"
          " medium)")
    by_channel = {channel: per_category(cases, thresholds, channel) for channel in CHANNELS}
    for category, (_, total) in by_channel["combined"].items():
        cells = " ".join(f"{100 * by_channel[c][category][0] / total:7.1f}%" for c in CHANNELS)
        print(f"    {category:<38} {cells}   (n={total})")
    if args.misses:
        for case, severity in misses(cases, thresholds, "combined"):
            ex = case.example
            context = " | ".join(ex.earlier)
            print(f"    {ex.source:<16} {ex.severity.label:<8} got {severity.label:<8} "
                  f"{ex.category:<24} {(context + ' || ') if context else ''}{ex.text[:160]}")
    return 0 if all(meets(table["combined"]).values()) else 1


if __name__ == "__main__":
    sys.exit(main())
