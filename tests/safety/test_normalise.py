"""Normaliser: what the detector 'sees' when a young person types something."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety.normalise import normalise, variants


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ("HELP ME", "help me"),
        ("he’s outside", "he is outside"),  # curly apostrophe, contraction
        ("ｉ ｗａｎｔ ｔｏ ｄｉｅ", "i want to die"),  # full-width letters
        ("кill mysеlf", "kil myself"),  # Cyrillic lookalike letters
        ("k\u200bi\u200dl\u2060l", "kil"),  # zero-width characters inside a word
        ("i w4nt t0 k1ll mys3lf", "i want to kil myself"),  # leetspeak
        ("$uicide", "suicide"),
        ("ki||", "kil"),
        ("pleaseee helppp", "please help"),  # repeated letters
        ("kiiiill", "kil"),
        ("u r gonna b ok", "you are going to b ok"),  # text-speak
        ("im scared 2nite", "i am scared tonight"),
        ("taken 20 💊", "taken 20 pils"),  # emoji to words
        ("🔪🩸", "knife blod"),
    ],
)
def test_young_person_types_and_detector_sees(typed, seen):
    assert normalise(typed) == seen


@pytest.mark.parametrize("typed", ["call 999", "at 10pm", "0800 1111", "5mins", "im 14"])
def test_numbers_and_times_are_not_leetspeak(typed):
    assert normalise(typed).split()[-1] == typed.split()[-1]


def test_letters_typed_one_by_one_are_joined_in_a_second_form():
    assert variants("i want to k i l l myself")[-1] == "i want to kil myself"
    assert variants("s.o.s")[-1] == "sos"
    assert variants("k.i.l.l.i.n.g myself")[-1] == "kiling myself"
    assert variants("i am ok") == ("i am ok",)


TOKEN = re.compile(r"[a-z0-9]+")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_and_gives_lowercase_ascii_words(text):
    out = normalise(text)
    assert all(TOKEN.fullmatch(word) for word in out.split(" ") if out)
    assert out == out.strip() and "  " not in out
    for form in variants(text):
        assert form.isascii()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


CONTROL_AND_RTL = st.sampled_from(
    ["\x00", "\x1b", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\ufe0f", "\u0301"]
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=8) | CONTROL_AND_RTL, max_size=40))
def test_control_and_bidi_characters_never_raise(pieces):
    out = normalise("".join(pieces))
    assert normalise(out) == out


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=4096), max_size=100))
def test_characters_above_4096_never_raise(text):
    assert normalise(text).isascii()


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_very_long_messages_never_raise(text):
    long_text = text * (5000 // len(text) + 1)  # 5,000+ characters
    assert normalise(long_text).isascii()


def test_control_and_right_to_left_characters():
    assert normalise("\u202ekill\u202c myself\x00\x07") == "kil myself"
    assert normalise("\u0627\u0644\u0633\u0644\u0627\u0645") .isascii()
