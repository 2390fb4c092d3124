"""The shipped model was trained on the train split, tuned on dev, and never saw the test split."""

import yaml

from bot.safety.corpus import (
    CATEGORIES,
    fingerprint,
    read_split,
    split_files,
    training_examples,
    training_files,
)
from bot.safety.semantic import CARD_FILE, MODEL_DIR


def card() -> dict:
    return yaml.safe_load((MODEL_DIR / CARD_FILE).read_text("utf-8"))


def test_the_model_was_trained_on_exactly_the_train_split_as_it_is_now():
    assert card()["trained_on"] == fingerprint(training_files())
    assert set(card()["trained_on"]) >= {p.name for p in split_files("train")}


def test_the_thresholds_were_chosen_on_exactly_the_dev_split_as_it_is_now():
    assert card()["tuned_on"] == fingerprint(split_files("dev"))


def test_the_test_split_was_used_for_neither():
    used = {**card()["trained_on"], **card()["tuned_on"]}
    for path in split_files("test"):
        assert path.name not in used
        assert fingerprint([path])[path.name] not in used.values()


def _key(ex) -> tuple:
    return tuple(" ".join(t.lower().split()) for t in (*ex.earlier, ex.text))


def test_no_test_message_of_five_words_or_more_also_stands_in_the_training_data():
    """Independent writers do say "ok", "hiya" and "hes here" alike; anything longer that the
    network was trained on word for word would flatter the test figures."""
    seen = {_key(ex) for ex in training_examples()}
    leaked = [ex.source for ex in read_split("test")
              if len(ex.text.split()) >= 5 and _key(ex) in seen]
    assert leaked == []


def test_each_split_has_every_category_and_enough_hard_negatives():
    sizes = {}
    for split in ("train", "dev", "test"):
        examples = read_split(split)
        sizes[split] = len(examples)
        assert {ex.category for ex in examples if ex.is_danger} == set(CATEGORIES)
        hard = sum(ex.category == "lookalike" for ex in examples)
        assert hard / len(examples) >= 0.40
    assert sum(sizes.values()) >= 3000


def test_the_card_names_the_categories_the_network_was_built_with():
    assert tuple(card()["categories"]) == CATEGORIES
