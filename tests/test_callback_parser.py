"""flows.callback: the one parser of button data, exactly, and valid_text where text enters."""

from __future__ import annotations

import pytest

from bot.tg.events import valid_text
from flows.callback import MAX_NUMBER, MAX_ROW_ID, Callback, parse, parse_mask, parse_number


@pytest.mark.parametrize(("data", "prefix", "parts"), [
    ("al:ack:12", "al", ("ack", "12")),
    ("help", "help", ()),
    ("", "", ()),
    (None, "", ()),
    ("::", "", ("", "")),
    ("ck:wd:7:1f:3", "ck", ("wd", "7", "1f", "3")),
])
def test_parse_splits_the_prefix_from_the_parts(data, prefix, parts):
    assert parse(data) == Callback(prefix, parts)


def test_parts_numbers_and_rest_are_read_without_raising():
    pressed = parse("safe:yes:12:extra")
    assert (pressed.part(0), pressed.part(1), pressed.part(5), pressed.part(-1)) == (
        "yes", "12", "", "")
    assert (pressed.number(1), pressed.row_id(1), pressed.number(0), pressed.number(9)) == (
        12, 12, None, None)
    assert pressed.rest(1) == "12:extra" and pressed.rest(7) == ""


@pytest.mark.parametrize(("raw", "number"), [
    ("0", 0), ("7", 7), ("0012", 12), (str(MAX_NUMBER), MAX_NUMBER),
    ("", None), ("-1", None), ("+1", None), (" 1", None), ("1 ", None), ("1_000", None),
    ("٣", None), ("١٢", None), ("²", None), ("１", None), ("1.0", None), ("0x1f", None),
    (str(MAX_NUMBER + 1), None), (str(10**30), None), ("9" * 1000, None),
])
def test_a_number_is_ascii_digits_only_and_fits_64_bits(raw, number):
    assert parse_number(raw) == number


def test_a_row_id_fits_the_integer_id_columns():
    assert parse("al:ack:" + str(MAX_ROW_ID)).row_id(1) == MAX_ROW_ID == 2**31 - 1
    assert parse("al:ack:" + str(MAX_ROW_ID + 1)).row_id(1) is None
    assert parse("al:ack:٣").row_id(1) is None


@pytest.mark.parametrize(("raw", "bits", "mask"), [
    ("0", 8, 0), ("ff", 8, 255), ("1f", 5, 31), ("20", 5, None), ("FF", 8, None),
    ("fff", 8, None), ("", 8, None), ("٣", 8, None), ("-1", 8, None), ("0x1", 8, None),
])
def test_a_mask_is_lower_case_ascii_hex_within_its_bits(raw, bits, mask):
    assert parse_mask(raw, bits) == mask


@pytest.mark.parametrize(("text", "valid"), [
    ("he's outside", "he's outside"), ("", ""), (None, ""), ("🙂", "🙂"),
    ("a\ud800b", "a\ufffdb"), ("\udfff", "\ufffd"), ("x\ud83d\ude00", "x😀"),
    ("\ude00\ud83d", "\ufffd\ufffd"),
])
def test_valid_text_replaces_lone_surrogates_and_mends_pairs(text, valid):
    assert valid_text(text) == valid
    valid_text(text).encode("utf-8")
