"""The labelled corpus meets the targets (tuning set, and the held-out set we never tuned on)."""

import pytest

from bot.safety.lexicon_corpus import CORPUS_DIR, meets_targets, read_corpus, score


@pytest.mark.parametrize("name", ["tuning.tsv", "holdout.tsv"])
def test_corpus_meets_targets(detector, name):
    examples = read_corpus(CORPUS_DIR / name)
    assert len(examples) >= 100
    figures, _ = score(examples, detector)
    verdicts = meets_targets(figures)
    assert all(verdicts.values()), {k: round(v, 1) for k, v in figures.items()}


def test_corpus_is_half_hard_negatives():
    examples = read_corpus(CORPUS_DIR / "tuning.tsv")
    negatives = sum(ex.label in ("ordinary", "lookalike") for ex in examples)
    assert 0.4 <= negatives / len(examples) <= 0.6
