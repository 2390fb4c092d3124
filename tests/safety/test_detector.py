"""The detector, read as transcripts: 'young person says X -> severity, category'."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety.detector import Detection, Match, Severity


def says(detector, text, recent=()):
    return detector.scan(text, recent=recent)


@pytest.mark.parametrize(
    ("message", "severity", "category"),
    [
        # an unnamed "he" at home is a same-day alert; "my mate/dad is outside" is not
        ("he's outside my house", "high", "immediate_danger"),
        ("he's outside my house and won't leave", "critical", "immediate_danger"),
        ("he's hurting me right now", "critical", "immediate_danger"),
        ("I've taken all my pills", "critical", "suicide"),
        ("im gonna kms tonight", "critical", "suicide"),
        ("I'm going to kill myself tonight", "critical", "suicide"),
        ("i want to kill myself", "high", "suicide"),
        ("thinking about sewer slide", "high", "suicide"),
        ("i cut myself again last night", "high", "self_harm"),
        ("he got me grape at the party", "high", "sexual_abuse"),
        ("he said he'll send my pics to everyone unless i pay", "high", "sextortion_image_abuse"),
        ("hes got my nudes", "high", "sextortion_image_abuse"),
        ("they want me to go country", "high", "criminal_exploitation"),
        ("been sent OT and i want to come home", "high", "criminal_exploitation"),
        ("he says i owe him", "medium", "grooming"),
        ("he wants me to meet him tonight", "medium", "grooming"),
        ("a man on roblox keeps asking what school i go to", "medium", "online_grooming"),
        ("im not going home tonight", "high", "going_missing"),
        ("the older guys give us free weed", "medium", "drugs_alcohol_from_adults"),
        ("they said they're going to stab me", "high", "violence"),
        ("i dont feel safe at home", "high", "feeling_unsafe"),
    ],
)
def test_young_person_says(detector, message, severity, category):
    result = says(detector, message)
    if severity is None:
        assert result.severity < Severity.MEDIUM
    else:
        assert result.severity.label == severity
        assert category in result.categories


@pytest.mark.parametrize(
    "message",
    [
        "this homework is killing me",
        "maths is literally killing me",
        "omg i'm dead 😂😂",
        "i'm dying laughing",
        "my phone is dying",
        "we killed it at football",
        "my mum is going to kill me when she sees my report",
        "he hit me up on snap",
        "can you help me with the quiz",
        "i took a paracetamol for my headache",
        "my cat went missing but he came back",
        "i'm going to end it with my boyfriend",
    ],
)
def test_hyperbole_and_lookalikes_are_not_alerts(detector, message):
    assert says(detector, message).severity < Severity.MEDIUM


def test_negation_lowers_by_one_level(detector):
    assert says(detector, "i want to hurt myself").severity == Severity.MEDIUM
    assert says(detector, "i'm not going to hurt myself").severity == Severity.LOW
    assert says(detector, "i feel suicidal").severity == Severity.HIGH
    assert says(detector, "i would never say i'm suicidal").severity == Severity.MEDIUM


def test_negation_never_lowers_a_critical_entry(detector):
    result = says(detector, "i'm not joking i've taken all my pills")
    assert result.severity == Severity.CRITICAL
    assert says(detector, "I won't lie, he's hurting me right now").severity == Severity.CRITICAL


def test_lookalike_never_hides_a_critical_entry(detector):
    # "help me with" is a lookalike, "help me please" (a cry for help) is critical.
    assert says(detector, "help me please with him hes hitting me").severity == Severity.CRITICAL


def test_recent_fear_then_arrival_is_high(detector):
    assert says(detector, "he's here").severity < Severity.MEDIUM
    result = says(detector, "he's here", recent=["I'm scared of him"])
    assert result.severity == Severity.HIGH
    assert "immediate_danger" in result.categories
    assert any(m.entry_id == "rule.fear_then_arrival" for m in result.matches)


def test_arrival_without_earlier_fear_stays_low(detector):
    assert says(detector, "he's here", recent=["what time is my check in"]).severity < 2


def test_wish_to_die_then_means_is_critical(detector):
    result = says(detector, "i've got the rope", recent=["i want to die"])
    assert result.severity == Severity.CRITICAL
    assert result.categories[0] == "suicide"


def test_wish_to_die_with_a_time_is_critical(detector):
    assert says(detector, "i want to die, i'll do it when everyone is asleep").severity == 4


def test_grooming_then_secret_meeting_is_high(detector):
    result = says(detector, "he wants me to meet him tonight", recent=["he said keep it a secret"])
    assert result.severity == Severity.HIGH


def test_obfuscated_messages(detector):
    for message in [
        "i w4nt t0 k1ll mys3lf",
        "i wanna kiiiill myselfff",
        "ｉ ｗａｎｔ ｔｏ ｄｉｅ",
        "i want to k i l l myself",
        "i want to k.i.l.l myself",
        "I WANT TO DIE",
        "i want to d\u200bie",
    ]:
        assert says(detector, message).severity >= Severity.HIGH, message


def test_to_json_shape(detector):
    text = "he's outside my house and won't leave"
    data = says(detector, text).to_json(text)
    assert data["text"] == text
    assert data["severity"] == "critical"
    assert data["categories"] == ["immediate_danger"]
    assert data["matches"][0] == {
        "entry_id": "danger.outside_wont_leave",
        "category": "immediate_danger",
        "severity": "critical",
        "phrase": "he is outside my house and will not leave",
    }


def test_nothing_found(detector):
    assert says(detector, "hiya") == Detection(Severity.NONE, (), ())
    assert says(detector, "") == Detection(Severity.NONE, (), ())
    assert Severity.HIGH.label == "high"
    assert isinstance(Match("a", "b", Severity.LOW, "c"), Match)


# --- property: variants of lexicon phrases still match ---------------------------------------

PHRASES = [
    ("i want to kill myself", "suicide.wish_to_die"),
    ("he is hurting me right now", "danger.being_hurt_now"),
    ("i cut myself again", "self_harm.recent"),
    ("they want me to go country", "cce.sent_away"),
    ("he has got my nudes", "sextortion.threat"),
]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@st.composite
def disguised(draw):
    phrase, entry_id = draw(st.sampled_from(PHRASES))
    words = phrase.split()
    out = []
    spelled_one = False
    for word in words:
        style = draw(st.sampled_from(["plain", "upper", "repeat", "zero", "spaced", "dotted"]))
        if style in ("spaced", "dotted") and (spelled_one or len(word) < 3):
            style = "plain"
        if style == "upper":
            word = "".join(c.upper() if draw(st.booleans()) else c for c in word)
        elif style == "repeat":
            i = draw(st.integers(0, len(word) - 1))
            word = word[:i] + word[i] * draw(st.integers(2, 6)) + word[i + 1:]
        elif style == "zero":
            i = draw(st.integers(1, len(word)))
            word = word[:i] + draw(st.sampled_from(ZERO_WIDTH)) + word[i:]
        elif style in ("spaced", "dotted"):
            word = (" " if style == "spaced" else ".").join(word)
            spelled_one = True
        out.append(word)
    return " ".join(out), entry_id


@settings(max_examples=200, deadline=None)
@given(disguised())
def test_disguised_lexicon_phrases_still_match(detector, case):
    text, entry_id = case
    ids = {m.entry_id for m in detector.scan(text).matches}
    assert entry_id in ids, text
