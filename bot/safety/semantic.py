"""The semantic channel: a fine-tuned sentence encoder that reads what a message *means*.

    model = SemanticModel.load()
    model.read("took everything in the cupboard, feel sleepy now").p_critical   # ~0.9

The lexicon knows code words and fixed phrases; young people in danger rarely use them. This
model (all-MiniLM-L6-v2, fine-tuned on ``tests/safety/corpus/v2/train_*.tsv`` by
``bot/safety/train.py``) gives three ordinal danger scores - at least medium, at least high,
critical - and which category the danger is most like. It runs with onnxruntime (int8, no torch)
and ``tokenizers``; ``content/safety/model/`` holds the network, the tokenizer and
``model.yaml`` (thresholds chosen on the dev split by ``bot/safety/tune.py``).

A long message is read whole, in overlapping windows of the tokenizer's own pieces; the most
worrying window wins, and its place in the text is kept so a page can quote it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MODEL_DIR = Path(__file__).resolve().parents[2] / "content" / "safety" / "model"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CARD_FILE = "model.yaml"
WINDOW = 128  # tokens the network reads at once (with [CLS] and [SEP])
STRIDE = 64  # windows of a long message overlap by half, so no sentence is cut in two unread
# a message up to this many tokens is read whole, in one window: a 500-character message
# (110-190 tokens) then costs one run, not two overlapping windows. bench/detector.py, 500
# characters: p50 19.3 -> 10.6 ms, p99 27.8 -> 13.3 ms; dev figures unchanged (look-alikes
# 18.7 -> 18.3%): fine-tuning saw 128-token windows, but all-MiniLM was pre-trained on 512
WHOLE_UP_TO = 192
MESSAGE_SEPARATOR = " [SEP] "  # between earlier messages and this one, when read together

_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
_RUNS = re.compile(r"(.)\1{2,}")
_SPACE = re.compile(r"\s+")


class ModelUnavailable(RuntimeError):
    """The model's files are missing or broken; the lexicon runs alone and /healthz says so."""


def prepare(text: str) -> str:
    """What the network reads: NFKC, invisible characters dropped, long runs shortened.

    Training uses this too, so the network always sees text in the same form. Never raises on
    any ``str`` (lone surrogates included).
    """
    text = unicodedata.normalize("NFKC", text.encode("utf-8", "replace").decode("utf-8"))
    text = "".join(" " if ch in "\n\r\t" else ch for ch in text
                   if unicodedata.category(ch) not in _INVISIBLE or ch in "\n\r\t")
    return _SPACE.sub(" ", _RUNS.sub(r"\1\1", text)).strip()


@dataclass(frozen=True)
class Reading:
    """What the model read in one message (for a long one: its most worrying window)."""

    p_medium: float  # P(severity >= medium)
    p_high: float  # P(severity >= high)
    p_critical: float  # P(severity == critical)
    category: str  # the danger category it is most like
    span: tuple[int, int]  # where in the prepared text that window lies [start, end)

    @property
    def danger(self) -> tuple[float, float, float]:
        return (self.p_medium, self.p_high, self.p_critical)


QUIET = Reading(0.0, 0.0, 0.0, "", (0, 0))


@dataclass(frozen=True)
class Thresholds:
    """Scores at which the model alone rates a message; chosen on the dev split only."""

    medium: float
    high: float
    critical: float
    ask: float  # p_high at or above this (and below ``high``): ask the young person kindly
    veto: float  # p_medium below this: a non-critical lexicon hit becomes a kind question

    @classmethod
    def from_card(cls, card: dict[str, Any]) -> Thresholds:
        t = card["thresholds"]
        return cls(float(t["medium"]), float(t["high"]), float(t["critical"]),
                   float(t["ask"]), float(t["veto"]))


class SemanticModel:
    """The network and its tokenizer, loaded once per process (about a third of a second)."""

    def __init__(self, session: Any, tokenizer: Any, card: dict[str, Any]) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.card = card
        self.categories: tuple[str, ...] = tuple(card["categories"])
        self.thresholds = Thresholds.from_card(card) if "thresholds" in card else None
        self._cls = tokenizer.token_to_id("[CLS]")
        self._sep = tokenizer.token_to_id("[SEP]")

    @classmethod
    def load(cls, directory: Path | None = None, *, threads: int = 1) -> SemanticModel:
        """Load from ``content/safety/model`` (or ``directory``); :class:`ModelUnavailable`
        says why it could not."""
        directory = Path(directory) if directory is not None else MODEL_DIR
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are dependencies
            raise ModelUnavailable(f"a runtime library is missing: {exc.name}") from exc
        try:
            card = yaml.safe_load((directory / CARD_FILE).read_text(encoding="utf-8"))
            tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
            options = onnxruntime.SessionOptions()
            # one thread: a web process serves many people at once, each message on one core
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = onnxruntime.InferenceSession(
                str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        except FileNotFoundError as exc:
            raise ModelUnavailable(f"model file missing: {Path(exc.filename or '').name}") from exc
        except Exception as exc:  # a corrupt file: onnxruntime and tokenizers raise their own
            raise ModelUnavailable(f"model files could not be loaded ({type(exc).__name__})") \
                from exc
        if not isinstance(card, dict) or "categories" not in card:
            raise ModelUnavailable(f"{CARD_FILE} names no categories")
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return cls(session, tokenizer, card)

    # -- reading ------------------------------------------------------------------------------

    def read(self, text: str, earlier: Sequence[str] = ()) -> Reading:
        """Read one message; ``earlier`` messages, when given, are read before it as one text."""
        return self.read_many([text], [earlier])[0]

    def read_many(self, texts: Sequence[str], earlier: Sequence[Sequence[str]] | None = None
                  ) -> list[Reading]:
        """Read several messages (evaluation, tuning), each exactly as :meth:`read` would."""
        readings = []
        for index, text in enumerate(texts):
            before = earlier[index] if earlier else ()
            readings.append(self._read_one(text, before))
        return readings

    def _read_one(self, text: str, before: Sequence[str]) -> Reading:
        """One message's windows, each in a run of the network of its own. Never batched with
        other messages: int8 activations are scaled per run, so a batch would score a message
        differently from the bot, and tuning and evaluation must see exactly what the bot sees."""
        joined = MESSAGE_SEPARATOR.join([*(prepare(t) for t in before), prepare(text)])
        offset = len(joined) - len(prepare(text))
        windows = self._windows(joined)
        if not windows:
            return QUIET
        danger, category = self._run([ids for ids, _ in windows])
        row = 0
        for candidate in range(1, len(windows)):
            if _worse(danger[candidate], danger[row]):
                row = candidate
        span = windows[row][1]
        probs = category[row]
        top = max(range(len(probs)), key=probs.__getitem__)
        return Reading(float(danger[row][0]), float(danger[row][1]), float(danger[row][2]),
                       self.categories[top], (max(0, span[0] - offset), max(0, span[1] - offset)))

    def _windows(self, text: str) -> list[tuple[list[int], tuple[int, int]]]:
        """Token ids of each window (with [CLS] and [SEP]) and the characters it covers."""
        if not text:
            return []
        encoding = self.tokenizer.encode(text, add_special_tokens=False)
        ids, offsets = encoding.ids, encoding.offsets
        if not ids:
            return []
        if len(ids) <= WHOLE_UP_TO - 2:
            return [([self._cls, *ids, self._sep], (offsets[0][0], offsets[-1][1]))]
        room = WINDOW - 2
        out = []
        start = 0
        while True:
            chunk = ids[start:start + room]
            span = (offsets[start][0], offsets[start + len(chunk) - 1][1])
            out.append(([self._cls, *chunk, self._sep], span))
            if start + room >= len(ids):
                return out
            start += STRIDE

    def _run(self, windows: list[list[int]]) -> tuple[list[list[float]], list[list[float]]]:
        """Each window in a run of its own: no padding to compute (the last window of a long
        message is short), and a window scores the same wherever it falls."""
        import numpy as np

        danger: list[list[float]] = []
        category: list[list[float]] = []
        for window in windows:
            ids = np.array([window], dtype=np.int64)
            out_danger, out_category = self.session.run(
                None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
            danger.extend(out_danger.tolist())
            category.extend(out_category.tolist())
        return danger, category


def _worse(a: Sequence[float], b: Sequence[float]) -> bool:
    """Is window reading ``a`` more worrying than ``b``? The sum of the three ordinal scores is
    the expected number of levels reached, so a sure "high" beats an unsure "critical"."""
    return sum(a) > sum(b)
