"""The labelled corpus (``tests/safety/corpus/v2``): who wrote which split, and how to read it.

Each file was written by a different helper who never saw the other files or the lexicon, so a
figure on ``test.tsv`` says how the detector does on someone else's words. Lines are

    severity<TAB>category<TAB>message                      (one message)
    severity<TAB>category<TAB>earlier<TAB>...<TAB>message  (a sequence; the last is judged)

severity: critical | high | medium | none; category: a danger category, or ``lookalike`` (a hard
negative) or ``ordinary`` for ``none``. The labelling guide is ``tests/safety/corpus/v2/GUIDE.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.safety.detector import Severity

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "safety" / "corpus" / "v2"
LEGACY_DIR = CORPUS_DIR.parent
# the lexicon team's own sets (labels only, no categories): a fourth voice for training
LEGACY_TRAIN = ("tuning.tsv", "holdout.tsv")
LEGACY_LABELS = {"critical": (Severity.CRITICAL, ""), "same_day": (Severity.HIGH, ""),
                 "indicator": (Severity.MEDIUM, ""), "ordinary": (Severity.NONE, "ordinary"),
                 "lookalike": (Severity.NONE, "lookalike")}
SPLITS = {
    "train": ("train_a.tsv", "train_b.tsv", "train_c.tsv", "train_d.tsv", "train_e.tsv",
              "train_f.tsv", "train_g.tsv", "train_h.tsv", "train_i.tsv", "train_j.tsv",
              "train_k.tsv", "train_l.tsv", "train_m.tsv", "train_n.tsv", "train_o.tsv",
              "train_p.tsv"),
    "dev": ("dev.tsv", "dev_b.tsv", "dev_c.tsv"),
    "test": ("test.tsv",),
}
CATEGORIES = (
    "sexual_abuse", "grooming", "sextortion_image_abuse", "online_contact", "self_harm",
    "suicide", "overdose", "going_missing", "flats_hotels", "drugs_alcohol_from_adults",
    "violence", "criminal_exploitation", "immediate_danger", "feeling_unsafe",
)
NEGATIVES = ("lookalike", "ordinary")
SEVERITIES = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM,
              "none": Severity.NONE}


@dataclass(frozen=True)
class Example:
    """One labelled message, with the messages sent just before it (if any)."""

    severity: Severity
    category: str
    text: str
    earlier: tuple[str, ...]
    source: str  # file:line

    @property
    def is_danger(self) -> bool:
        return self.severity >= Severity.MEDIUM


class CorpusError(ValueError):
    """A corpus line is malformed; the message names the file and line."""


def read_file(path: Path) -> list[Example]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        where = f"{path.name}:{number}"
        if len(cols) < 3 or cols[0] not in SEVERITIES or not all(c.strip() for c in cols[2:]):
            raise CorpusError(f"{where}: expected severity<TAB>category<TAB>message")
        severity = SEVERITIES[cols[0]]
        allowed = NEGATIVES if severity == Severity.NONE else CATEGORIES
        if cols[1] not in allowed:
            raise CorpusError(f"{where}: category {cols[1]!r} does not go with {cols[0]}")
        examples.append(Example(severity, cols[1], cols[-1], tuple(cols[2:-1]), where))
    return examples


def read_legacy(path: Path) -> list[Example]:
    """``label<TAB>text`` lines of the lexicon team's sets; danger has no category ("")."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition("\t")
        if label not in LEGACY_LABELS or not text.strip():
            raise CorpusError(f"{path.name}:{number}: expected label<TAB>text")
        severity, category = LEGACY_LABELS[label]
        examples.append(Example(severity, category, text, (), f"{path.name}:{number}"))
    return examples


def training_examples() -> list[Example]:
    """Everything the network learns from: the train split and the lexicon team's sets."""
    return read_split("train") + [ex for name in LEGACY_TRAIN
                                  for ex in read_legacy(LEGACY_DIR / name)]


def training_files() -> list[Path]:
    return split_files("train") + [LEGACY_DIR / name for name in LEGACY_TRAIN]


def split_files(split: str, directory: Path = CORPUS_DIR) -> list[Path]:
    return [directory / name for name in SPLITS[split]]


def read_split(split: str, directory: Path = CORPUS_DIR) -> list[Example]:
    return [ex for path in split_files(split, directory) for ex in read_file(path)]


def fingerprint(paths: Iterable[Path]) -> dict[str, str]:
    """sha256 of each file: the model card records what it was trained and tuned on."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
