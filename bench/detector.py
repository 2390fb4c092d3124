"""Detector speed: ``python bench/detector.py [--messages N]``.

Prints messages per second and p50/p99 latency per message for:
  * the packaged lexicon,
  * a synthetic lexicon ten times larger (packaged + generated entries),
  * a naive baseline (a loop of ``in`` checks over the same normalised phrases), run on a
    sample because it is slow.
  * the combined detector the bot runs (lexicon + the int8 semantic model, onnxruntime on one
    thread): messages/s and p99 on the same mix, and on messages of 500 characters; load time
    and resident memory (targets: >= 300 msg/s, p99 <= 15 ms at 500 characters).
Messages are a realistic mix generated deterministically (seeded). Single thread, one core.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import yaml

from bot.safety.detector import Detector
from bot.safety.normalise import CONTENT_DIR

ORDINARY = [
    "hiya", "ok", "what do i do now", "school was boring today", "i had chips for tea lol",
    "can i do the next module", "my mum is making lasagne", "im going to the gym later",
    "football practice at 5pm", "i got a 7 in my english mock!!", "idk tbh", "thx x 😊",
    "gonna play fifa wiv my m8s 2nite", "when is sarah coming to see me",
    "i had a row with my mum about my phone", "this homework is killing me 😂",
    "im deaddd 💀💀", "my phone is dying", "we killed it at football",
    "i'm stressed about exams and i cant sleep", "can u remind me about my appointment tmrw",
    "i want to link up with my friends later", "my dads outside to pick me up",
]
RISKY = [
    "he's outside my house and won't leave", "i want to kill myself", "i cut myself again",
    "he said he'll send my pics to everyone unless i pay", "they want me to go country",
    "he says i owe him", "he wants me to meet him tonight", "i w4nt t0 k1ll mys3lf",
    "im scared of him", "hes here", "i dont feel safe at home", "he buys me vapes",
    "ｉ ｗａｎｔ ｔｏ ｄｉｅ", "k i l l myself", "taken 20 💊",
]
FILLER = ["like", "literally", "honestly", "ngl", "and", "so", "then", "yeah", "omg", "tbh"]


def messages(count: int, seed: int = 20240611) -> list[str]:
    """About 90% ordinary chat, 10% risky, with random filler words and casing."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        base = rng.choice(RISKY) if rng.random() < 0.1 else rng.choice(ORDINARY)
        words = base.split()
        for _ in range(rng.randint(0, 6)):
            words.insert(rng.randint(0, len(words)), rng.choice(FILLER))
        text = " ".join(words)
        if rng.random() < 0.2:
            text = text.upper()
        out.append(text)
    return out


def synthetic_content(directory: Path, factor: int, seed: int = 7) -> None:
    """Copy the packaged content and add generated entries until there are ``factor`` x as
    many phrases."""
    shutil.copytree(CONTENT_DIR, directory, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    base = Detector.load(directory)
    target = len(base.keys) * (factor - 1)
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    phrases = set()
    while len(phrases) < target:
        words = ["".join(rng.choice(letters) for _ in range(rng.randint(5, 9)))
                 for _ in range(rng.randint(1, 4))]
        phrases.add(" ".join(words))
    phrases = sorted(phrases)
    entries = [
        {"id": f"synthetic.e{i}", "severity": "medium", "phrases": phrases[i:i + 20]}
        for i in range(0, len(phrases), 20)
    ]
    text = yaml.safe_dump({"category": "synthetic", "entries": entries})
    (directory / "lexicon" / "synthetic.yaml").write_text(text, encoding="utf-8")


def run(label: str, scan: Callable[[str], object], msgs: list[str]) -> float:
    times = []
    clock = time.perf_counter
    started = clock()
    for text in msgs:
        t0 = clock()
        scan(text)
        times.append(clock() - t0)
    total = clock() - started
    times.sort()
    rate = len(msgs) / total
    p50 = statistics.median(times) * 1e6
    p99 = times[int(len(times) * 0.99) - 1] * 1e6
    print(f"  {label:<44} {len(msgs):>7} msgs  {rate:>9,.0f} msg/s  "
          f"p50 {p50:7.1f} us  p99 {p99:7.1f} us")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=5_000)
    parser.add_argument("--model-messages", type=int, default=5_000)
    args = parser.parse_args()
    msgs = messages(args.messages)
    naive_msgs = msgs[: args.naive_sample]

    full = Detector.load()
    with tempfile.TemporaryDirectory() as tmp:
        synthetic_content(Path(tmp), factor=10)
        big = Detector.load(Path(tmp))
    print(f"lexicon keys: full {len(full.keys):,}, ten-times {len(big.keys):,}")
    for detector in (full, big):  # warm up
        for text in msgs[:2000]:
            detector.scan(text)
    rate_full = run("detector, full lexicon", full.scan, msgs)
    rate_big = run("detector, 10x lexicon", big.scan, msgs)
    naive_full = run("naive `in` loop, full lexicon (sample)", full.naive_scan, naive_msgs)
    naive_big = run("naive `in` loop, 10x lexicon (sample)", big.naive_scan, naive_msgs)
    print(f"slowdown with 10x lexicon: detector {rate_full / rate_big:.2f}x, "
          f"naive {naive_full / naive_big:.2f}x")
    combined(msgs[: args.model_messages])


def combined(msgs: list[str]) -> None:
    """The detector the bot runs: both channels."""
    from bot.safety.reader import SafetyReader

    before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    reader = SafetyReader.load()
    load = time.perf_counter() - started
    if reader.degraded:
        print(f"combined detector: model not loaded ({reader.why_not})")
        return
    for text in msgs[:200]:  # warm up
        reader.read(text)
    rss = psutil.Process().memory_info().rss
    print(f"combined detector: load {load:.2f} s, process RSS {rss / 2**20:.0f} MB "
          f"(+{(rss - before) / 2**20:.0f} MB for the model)")
    run("combined (lexicon + model), chat mix", reader.read, msgs)
    rng = random.Random(5)
    long_msgs = []
    for _ in range(max(200, len(msgs) // 10)):
        words: list[str] = []
        while len(" ".join(words)) < 500:
            words.extend(rng.choice(ORDINARY + RISKY).split())
        long_msgs.append(" ".join(words)[:500])
    run("combined, 500-character messages", reader.read, long_msgs)


if __name__ == "__main__":
    main()
