"""The lexicon's own regression sets (``tuning.tsv``, ``holdout.tsv``, written by the team that
wrote the lexicon): ``python -m bot.safety.lexicon_corpus [FILE ...]``.

These figures are optimistic (the same people wrote the phrases and the sentences); the honest
figures come from ``rise-bot safety evaluate`` on the v2 corpus, split by who wrote it.

Labels: critical (must be rated critical), same_day (needs a same-day response: high or
critical), indicator (risk indicator: medium or above), ordinary and lookalike (should stay
below medium). Prints the five figures for each file (default: tuning and held-out sets).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.safety.detector import Detector, Severity

LABELS = ("critical", "same_day", "indicator", "ordinary", "lookalike")
CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "safety" / "corpus"

# figure name -> (target, "min" or "max")
TARGETS = {
    "same_day_high": (95.0, "min"),
    "critical_critical": (85.0, "min"),
    "indicator_medium": (85.0, "min"),
    "ordinary_medium": (5.0, "max"),
    "lookalike_medium": (10.0, "max"),
}


@dataclass(frozen=True)
class Example:
    label: str
    text: str
    line: int


def read_corpus(path: Path) -> list[Example]:
    """Read a TSV corpus: ``label<TAB>text`` per line; ``#`` starts a comment line."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        label, sep, text = line.partition("\t")
        if not sep or label not in LABELS:
            raise ValueError(
                f"{path.name}:{number}: expected '<label>\\t<text>', label in {LABELS}"
            )
        examples.append(Example(label, text, number))
    return examples


def _pct(hits: int, total: int) -> float:
    return 100.0 * hits / total if total else 0.0


def score(examples: Iterable[Example], detector: Detector) -> tuple[dict[str, float], list]:
    """The five figures (percentages) and the examples that missed their target."""
    counts = {label: [0, 0] for label in LABELS}  # label -> [meets-threshold, total]
    same_day = [0, 0]
    misses = []
    for ex in examples:
        severity = detector.scan(ex.text).severity
        if ex.label == "critical":
            ok = severity == Severity.CRITICAL
            same_day[0] += severity >= Severity.HIGH
            same_day[1] += 1
            counts["critical"][0] += ok
        elif ex.label == "same_day":
            ok = severity >= Severity.HIGH
            same_day[0] += ok
            same_day[1] += 1
        elif ex.label == "indicator":
            ok = severity >= Severity.MEDIUM
            counts["indicator"][0] += ok
        else:
            counts[ex.label][0] += severity >= Severity.MEDIUM
            ok = severity < Severity.MEDIUM
        counts[ex.label][1] += 1
        if not ok:
            misses.append((ex, severity))
    figures = {
        "same_day_high": _pct(*same_day),
        "critical_critical": _pct(*counts["critical"]),
        "indicator_medium": _pct(*counts["indicator"]),
        "ordinary_medium": _pct(*counts["ordinary"]),
        "lookalike_medium": _pct(*counts["lookalike"]),
    }
    return figures, misses


def meets_targets(figures: dict[str, float]) -> dict[str, bool]:
    return {
        name: (figures[name] >= target if kind == "min" else figures[name] <= target)
        for name, (target, kind) in TARGETS.items()
    }


DESCRIPTIONS = {
    "same_day_high": "same-day (incl. critical) rated high+",
    "critical_critical": "critical rated critical",
    "indicator_medium": "indicators rated medium+",
    "ordinary_medium": "ordinary rated medium+",
    "lookalike_medium": "lookalikes rated medium+",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.safety.lexicon_corpus", description=__doc__)
    parser.add_argument("files", nargs="*", type=Path,
                        help="TSV corpus files (default: tuning.tsv and holdout.tsv)")
    parser.add_argument("--misses", action="store_true",
                        help="also list the examples that missed (prints corpus text)")
    args = parser.parse_args(argv)
    files = args.files or [CORPUS_DIR / "tuning.tsv", CORPUS_DIR / "holdout.tsv"]
    detector = Detector.load()
    all_ok = True
    for path in files:
        examples = read_corpus(path)
        figures, misses = score(examples, detector)
        verdicts = meets_targets(figures)
        print(f"{path.name} ({len(examples)} messages)")
        for name, value in figures.items():
            target, kind = TARGETS[name]
            sign = ">=" if kind == "min" else "<="
            mark = "ok" if verdicts[name] else "MISSED"
            print(f"  {DESCRIPTIONS[name]:<40} {value:6.1f}%   target {sign}{target:g}%  {mark}")
        all_ok &= all(verdicts.values())
        if args.misses:
            for ex, severity in misses:
                print(f"    {path.name}:{ex.line} {ex.label:<10} got {severity.label:<8} {ex.text}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
