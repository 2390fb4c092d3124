"""Normaliser: turns any message (or lexicon phrase) into plain lowercase ascii words.

The same transforms are applied to what a young person types and to every lexicon phrase
when the lexicon is loaded, so the two always meet in the same form:

    "Ｉ’m gonna k1lllll mys3lf 2nite 💊"  ->  "i am going to kil myself tonight pils"

Steps, in order:

1. Unicode (only when the text is not plain ascii): NFKC (full-width letters, ligatures),
   meaningful emoji to words (``content/safety/emoji.yaml``), zero-width / control / format
   characters and all other symbols dropped, then anyascii for homoglyphs and accents
   (Cyrillic "а", Greek "ο", curly quotes ...).
2. Lower case; apostrophes removed ("he's" -> "hes"); "!" or "|" between letters read as i / l.
3. Words are split on anything that is not a letter, digit, "@" or "$".
4. Each word: text-speak with digits ("2nite", "gr8") is expanded first; numbers, times and
   amounts ("999", "10pm", "5mins") are kept; otherwise leetspeak is undone
   (0->o 1->i 3->e 4->a 5->s 7->t 8->b @->a $->s); runs of a repeated letter collapse to one
   ("kiiill" and "kill" both become "kil"); text-speak and contractions are expanded
   (``content/safety/textspeak.yaml``: "u" -> "you", "im" -> "i am", "wont" -> "will not").

Collapsing every run to one letter means "kill"/"kil"/"killll" all match; the lexicon is
collapsed the same way, so a phrase written normally still matches.

Letters typed one at a time ("k i l l", "s.o.s") are handled by :func:`Normaliser.variants`,
which adds a second form with those letters joined up.

All functions are pure and never raise on any ``str`` input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from anyascii import anyascii

import content.safety

CONTENT_DIR = Path(content.safety.__file__).parent

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                       "@": "a", "$": "s"})
_MID_BANG = re.compile(r"(?<=[a-z])!(?=[a-z])")
_MID_PIPE = re.compile(r"(?<=[a-z])\|(?=[a-z|])|(?<=\|)\|")
_APOSTROPHES = str.maketrans("", "", "'`")
_TOKEN = re.compile(r"[a-z0-9@$]+")
_HAS_LEET = re.compile(r"[0-9@$]")
_HAS_LETTER = re.compile(r"[a-z]")
_RUNS = re.compile(r"([a-z])\1+")
# Numbers, times, amounts, ages, ordinals: never treated as leetspeak.
_KEEP = re.compile(
    r"\d+(?:am|pm|st|nd|rd|th|s|k|m|p|h|hr|hrs|min|mins|yo|yrs|yr|x|mg|ml|g|kg|km|mph|gb|ish)?"
    r"|\d+(?:am|pm)?\d*(?:am|pm)?"
)
_SPACE = re.compile(r"\s+")
_ONE_LETTER_WORDS = frozenset("iau")
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "So", "Sk", "Mn", "Me", "Zl", "Zp"})


def squeeze(word: str) -> str:
    """Collapse runs of one repeated letter to a single letter ('pleeease' -> 'please')."""
    return _RUNS.sub(r"\1", word)


@dataclass(frozen=True)
class Normaliser:
    """Normalisation tables (emoji and text-speak). Build once, then call :meth:`normalise`."""

    emoji: Mapping[str, str]
    expansions: Mapping[str, str]  # squeezed key -> normalised words
    raw_expansions: Mapping[str, str]  # keys with digits, as typed -> normalised words

    @classmethod
    def from_tables(cls, emoji: Mapping[str, str], textspeak: Mapping[str, str]) -> Normaliser:
        """Build from the two content tables, normalising their right-hand sides once."""
        emoji_clean = {_strip_selectors(k): str(v).lower() for k, v in emoji.items()}
        bare = cls(emoji_clean, {}, {})
        expansions: dict[str, str] = {}
        raw: dict[str, str] = {}
        for key, value in textspeak.items():
            key = str(key).lower().translate(_APOSTROPHES)
            words = bare.normalise(str(value))
            if re.search(r"[0-9]", key):
                raw[squeeze(key)] = words
            else:
                expansions[squeeze(key)] = words
        for key, words in [*expansions.items(), *raw.items()]:
            for word in words.split():
                if word in expansions:
                    raise ValueError(
                        f"textspeak: expansion of {key!r} contains {word!r}, which is itself "
                        "expanded; write the plain words on the right-hand side"
                    )
        return cls(emoji_clean, expansions, raw)

    @classmethod
    def from_directory(cls, directory: Path) -> Normaliser:
        """Load emoji.yaml and textspeak.yaml from a content directory."""
        emoji = _read_mapping(directory / "emoji.yaml")
        textspeak = _read_mapping(directory / "textspeak.yaml")
        return cls.from_tables(emoji, textspeak)

    # -- the pipeline -------------------------------------------------------------------

    def words(self, text: str) -> list[tuple[str, str]]:
        """(word as typed after cleaning, normalised word or words) for each word of ``text``."""
        if not text.isascii():
            text = self._fold_unicode(text)
        text = text.lower().translate(_APOSTROPHES)
        if "!" in text:
            text = _MID_BANG.sub("i", text)
        if "|" in text:
            text = _MID_PIPE.sub("l", text)
        text = _RUNS.sub(r"\1", text)
        out: list[tuple[str, str]] = []
        expansions = self.expansions
        raw_expansions = self.raw_expansions
        for typed in _TOKEN.findall(text):
            word = typed
            if _HAS_LEET.search(word):
                raw = raw_expansions.get(word)
                if raw is not None:
                    out.append((typed, raw))
                    continue
                if _KEEP.fullmatch(word):
                    out.append((typed, word))
                    continue
                if _HAS_LETTER.search(word):
                    word = squeeze(word.translate(_LEET))
                    raw = raw_expansions.get(word)
                    if raw is not None:
                        out.append((typed, raw))
                        continue
                else:
                    word = word.replace("@", " at ").replace("$", " ").strip()
                    if not word:
                        continue
                    out.append((typed, word))
                    continue
            out.append((typed, expansions.get(word, word)))
        return out

    def tokens(self, text: str) -> list[str]:
        """Normalised words of ``text``."""
        return " ".join(norm for _, norm in self.words(text)).split()

    def normalise(self, text: str) -> str:
        """Normalised form: lowercase ascii words separated by single spaces."""
        return " ".join(" ".join(norm for _, norm in self.words(text)).split())

    def variants(self, text: str) -> tuple[str, ...]:
        """The normalised form, plus one with letters typed singly joined up, if there are any.

        "i want to k i l l myself" -> ("i want to k i l myself", "i want to kil myself").
        A run is three or more single-character words; "s.o.s" and "k.i.l.l" split into
        single letters, so they are covered too.
        """
        words = self.words(text)
        main = " ".join(" ".join(norm for _, norm in words).split())
        if sum(1 for typed, _ in words if len(typed) == 1) < 3:
            return (main,)
        forms = [main]
        for keep_word in (False, True):
            form = self._join_runs(words, keep_word)
            if form is not None and form not in forms:
                forms.append(form)
        return tuple(forms)

    def _join_runs(self, words: list[tuple[str, str]], keep_word: bool) -> str | None:
        """Join runs of 3+ single letters. With ``keep_word``, a leading "i", "a" or "u" stays
        a word of its own ("i c u t" -> "i cut")."""
        joined: list[str] = []
        run: list[str] = []
        changed = False
        for typed, norm in [*words, ("", "")]:
            if len(typed) == 1:
                run.append(typed)
                continue
            if keep_word and len(run) >= 4 and run[0] in _ONE_LETTER_WORDS:
                joined.append(self.normalise(run[0]))
                run = run[1:]
            if len(run) >= 3:
                joined.append(self.normalise("".join(run)))
                changed = True
            else:
                joined.extend(self.normalise(letter) for letter in run)
            run = []
            if norm:
                joined.append(norm)
        return " ".join(" ".join(joined).split()) if changed else None

    def _fold_unicode(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text)
        parts: list[str] = []
        emoji = self.emoji
        for ch in text:
            if ch.isascii():
                parts.append(ch)
                continue
            word = emoji.get(ch)
            if word is not None:
                parts.append(f" {word} ")
                continue
            category = unicodedata.category(ch)
            if category in _DROP_CATEGORIES:
                # Zero-width and format characters join words; other symbols separate them.
                parts.append("" if category in ("Cf", "Mn", "Me") else " ")
            elif category.startswith("Z"):
                parts.append(" ")
            else:
                parts.append(anyascii(ch))
        return "".join(parts)


def _strip_selectors(text: str) -> str:
    return text.replace("\ufe0f", "").replace("\ufe0e", "")


def _read_mapping(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping of 'word: meaning' lines")
    return {str(k): str(v) for k, v in data.items()}


@lru_cache(maxsize=1)
def default_normaliser() -> Normaliser:
    """The normaliser built from the packaged content tables."""
    return Normaliser.from_directory(CONTENT_DIR)


def normalise(text: str) -> str:
    """Normalise ``text`` with the packaged tables (see the module docstring)."""
    return default_normaliser().normalise(text)


def variants(text: str) -> tuple[str, ...]:
    """Normalised forms of ``text`` to match against (see :meth:`Normaliser.variants`)."""
    return default_normaliser().variants(text)


def collapse_spaces(text: str) -> str:
    """Trim and collapse whitespace (for display only)."""
    return _SPACE.sub(" ", text).strip()
