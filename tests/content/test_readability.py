"""The reading-age sums, checked against hand counts."""

from __future__ import annotations

import pytest

from content.readability import TextStats, measure, reading_age, syllables


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("about", 2),
        ("exploitation", 4),
        ("humiliation", 5),
        ("someone's", 2),
        ("don't", 1),
        ("CSE", 3),
        ("CEOP", 2),
        ("sextortion", 3),
        ("16-year-old", 4),
        ("999", 2),
    ],
)
def test_syllables(word, count):
    assert syllables(word) == count


def test_measure_counts_words_sentences_and_syllables():
    assert measure("The cat sat on the mat.") == TextStats(words=6, sentences=1, syllables=6)
    assert measure("It is never your fault.\nYou can pause.") == TextStats(8, 2, 9)
    assert measure("• threats\n• bribes") == TextStats(2, 2, 2)
    assert measure("") == TextStats(0, 0, 0)


def test_flesch_formulas_by_hand():
    stats = TextStats(words=6, sentences=1, syllables=6)
    assert stats.reading_ease == pytest.approx(206.835 - 1.015 * 6 - 84.6 * 1)
    assert stats.grade == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)
    assert reading_age(stats.grade) == pytest.approx(stats.grade + 5)


def test_stats_add_up_so_a_module_is_measured_as_one_text():
    one, two = measure("Hi there."), measure("You can pause at any time.")
    assert one + two == measure("Hi there. You can pause at any time.")


def test_empty_text_is_easy():
    assert TextStats().grade == 0.0
    assert TextStats().reading_ease == 100.0
