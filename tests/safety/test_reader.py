"""How the two channels combine (pure rules, fixed thresholds), and the bot without its model."""

import logging

import pytest

from bot.safety.detector import Detection, Detector, Match, Severity
from bot.safety.reader import SafetyReader, combine
from bot.safety.semantic import Reading, Thresholds

T = Thresholds(medium=0.5, high=0.6, critical=0.7, ask=0.3, veto=0.1)


def reading(medium: float, high: float = 0.0, critical: float = 0.0) -> Reading:
    return Reading(medium, high, critical, "suicide", (0, 10))


def lexicon(severity: Severity) -> Detection:
    if severity == Severity.NONE:
        return Detection(Severity.NONE, (), ())
    return Detection(severity, ("violence",), (Match("violence.x", "violence", severity, "x"),))


@pytest.mark.parametrize(("lex", "model", "expected"), [
    # the higher channel wins
    (Severity.NONE, reading(0.9, 0.8, 0.2), Severity.HIGH),
    (Severity.HIGH, reading(0.4, 0.0), Severity.HIGH),
    (Severity.NONE, reading(0.95, 0.9, 0.8), Severity.CRITICAL),
    # a model sure it is ordinary turns a lexicon hit into a kind question, never a critical
    (Severity.HIGH, reading(0.05), Severity.NONE),
    (Severity.MEDIUM, reading(0.05), Severity.NONE),
    (Severity.HIGH, reading(0.2), Severity.HIGH),  # not sure enough: the lexicon stands
    (Severity.CRITICAL, reading(0.01), Severity.CRITICAL),
    (Severity.NONE, reading(0.01), Severity.NONE),
])
def test_the_higher_channel_wins_and_a_disagreement_below_critical_is_asked_not_paged(
        lex, model, expected):
    severity, _, ask = combine(lexicon(lex), model, T)
    assert severity == expected
    assert ask == (Severity.NONE < lex < Severity.CRITICAL and model.p_medium < T.veto)


def test_unsure_about_same_day_asks_instead_of_paging():
    severity, model, ask = combine(lexicon(Severity.NONE), reading(0.45, 0.35), T)
    assert (severity, model, ask) == (Severity.NONE, Severity.NONE, True)


def test_a_critical_is_never_turned_into_a_question():
    assert combine(lexicon(Severity.NONE), reading(0.9, 0.9, 0.9), T)[2] is False


def test_context_counts_only_when_it_rates_higher_than_the_earlier_messages_did():
    alone = reading(0.2)  # "hes here"
    together = reading(0.99, 0.95, 0.9)  # "im scared of my ex [SEP] hes here"
    assert combine(lexicon(Severity.NONE), alone, T, together, Severity.MEDIUM)[0] == \
        Severity.CRITICAL
    # the earlier message was critical already: reading it again raises nothing new
    assert combine(lexicon(Severity.NONE), alone, T, together, Severity.CRITICAL)[0] == \
        Severity.NONE


def test_without_a_model_the_lexicon_runs_alone_and_the_log_says_why(tmp_path, caplog):
    with caplog.at_level(logging.ERROR):
        reader = SafetyReader.load(model_dir=tmp_path)
    assert reader.degraded
    assert "model file missing" in reader.why_not
    assert any(r.getMessage() == "semantic model not loaded: the lexicon runs alone"
               for r in caplog.records)
    verdict = reader.read("he's outside my house and won't leave")
    assert verdict.severity == Severity.CRITICAL
    assert verdict.model == Severity.NONE


def test_a_corrupt_model_file_is_the_same_degraded_path(tmp_path):
    from bot.safety.semantic import MODEL_DIR

    for name in ("model.yaml", "tokenizer.json"):
        (tmp_path / name).write_bytes((MODEL_DIR / name).read_bytes())
    (tmp_path / "model.onnx").write_bytes(b"not a network")
    reader = SafetyReader.load(model_dir=tmp_path)
    assert reader.degraded and "could not be loaded" in reader.why_not


def test_a_model_that_fails_on_a_message_leaves_the_lexicons_rating_and_logs_no_text(caplog):
    from bot.safety.detector import Detector

    class Broken:
        thresholds = T

        def read(self, *args, **kwargs):
            raise RuntimeError("onnxruntime: he's outside my house")

        read_many = read

    reader = SafetyReader(Detector.load(), Broken())
    with caplog.at_level(logging.ERROR):
        verdict = reader.read("he's outside my house and won't leave")
    assert (verdict.severity, verdict.model) == (Severity.CRITICAL, Severity.NONE)
    [record] = [r for r in caplog.records if "semantic model failed" in r.getMessage()]
    assert record.error_type == "RuntimeError"
    assert "outside" not in record.getMessage()


# --- what a worker is shown of a long message ---------------------------------------------------

def test_a_short_message_is_quoted_whole_and_a_long_one_around_its_danger():
    from bot.safety.reader import QUOTE_CHARS, quote

    lexicon = Detector.load()
    assert quote("he's outside my house", lexicon) == "he's outside my house"
    ramble = "we had maths and then lunch and then more maths. " * 40
    shown = quote(ramble + "my uncle keeps touching me and says its our secret. " + ramble,
                  lexicon)
    assert "my uncle keeps touching me and says its our secret." in shown
    assert shown.startswith("…") and shown.endswith("…") and len(shown) <= QUOTE_CHARS + 2
    before, _, after = shown.partition("my uncle")
    assert abs(len(before) - len(after)) < 100  # the danger in the middle


def test_with_no_lexicon_hit_the_part_the_model_found_is_quoted():
    from bot.safety.reader import quote

    lexicon = Detector.load()
    text = "a" * 10 + " " + "ordinary words here " * 100 + "the part the model found " + \
        "ordinary words here " * 100
    at = text.index("the part the model found")
    shown = quote(text, lexicon, around=(at, at + 24))
    assert "the part the model found" in shown
    assert quote("ordinary words here " * 100, lexicon).startswith("ordinary words here")
