"""A safeguarding lead breaks a lexicon file: loading says which file and which entry."""

import shutil
from pathlib import Path

import pytest

from bot.safety.detector import Detector, LexiconError
from bot.safety.normalise import CONTENT_DIR


def content_with(tmp_path: Path, name: str, text: str) -> Path:
    lexicon = tmp_path / "lexicon"
    shutil.copytree(CONTENT_DIR / "lexicon", lexicon, ignore=shutil.ignore_patterns("*.py"))
    (lexicon / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_packaged_content_loads():
    assert Detector.load().scan("i want to die").severity >= 3


def test_custom_directory_with_a_new_entry_works(tmp_path):
    directory = content_with(tmp_path, "violence.yaml", """
category: violence
entries:
  - id: violence.new_word
    severity: high
    phrases: [get merked]
""")
    assert Detector.load(directory).scan("they said im gonna get merked").severity == 3


def test_bad_severity_names_file_and_entry(tmp_path):
    directory = content_with(tmp_path, "suicide.yaml", """
category: suicide
entries:
  - id: suicide.ok
    severity: high
    phrases: [want to die]
  - id: suicide.broken
    severity: urgent
    phrases: [end it]
""")
    with pytest.raises(LexiconError) as err:
        Detector.load(directory)
    assert "suicide.yaml" in str(err.value)
    assert "suicide.broken" in str(err.value)
    assert "severity" in str(err.value)


def test_missing_phrases_names_file_and_entry(tmp_path):
    directory = content_with(tmp_path, "grooming.yaml", """
category: grooming
entries:
  - id: grooming.empty
    severity: medium
""")
    with pytest.raises(LexiconError, match=r"grooming\.yaml: entry grooming\.empty: phrases"):
        Detector.load(directory)


def test_unknown_slot_names_file_and_entry(tmp_path):
    directory = content_with(tmp_path, "violence.yaml", """
category: violence
entries:
  - id: violence.slotty
    severity: high
    phrases: ["<someone> hit me"]
""")
    with pytest.raises(LexiconError, match=r"violence\.yaml: entry violence\.slotty.*<someone>"):
        Detector.load(directory)


def test_phrase_with_no_words_names_file_and_entry(tmp_path):
    directory = content_with(tmp_path, "violence.yaml", """
category: violence
entries:
  - id: violence.punctuation
    severity: high
    phrases: ["!!!"]
""")
    with pytest.raises(LexiconError, match=r"violence\.yaml: entry violence\.punctuation"):
        Detector.load(directory)


def test_invalid_yaml_and_wrong_category(tmp_path):
    with pytest.raises(LexiconError, match=r"drugs\.yaml: not valid YAML"):
        Detector.load(content_with(tmp_path / "a", "drugs.yaml", "category: [unclosed\n"))
    with pytest.raises(LexiconError, match=r"other\.yaml: category is 'violence'"):
        Detector.load(content_with(tmp_path / "b", "other.yaml", """
category: violence
entries:
  - {id: x.y, severity: low, phrases: [abc]}
"""))


def test_duplicate_id(tmp_path):
    directory = content_with(tmp_path, "extra.yaml", """
category: extra
entries:
  - {id: suicide.wish_to_die, severity: low, phrases: [abc]}
""")
    with pytest.raises(LexiconError, match=r"entry suicide\.wish_to_die: id already used"):
        Detector.load(directory)
