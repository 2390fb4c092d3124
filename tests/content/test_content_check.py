"""`rise-bot content check`: the real content passes, and broken content is named clearly."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from content.check import check_all, format_table, main, module_pieces
from content.loader import CONTENT_DIR, ContentError, Problem, load_module_file, load_modules

MODULE_IDS = [
    "what-is-cse",
    "grooming",
    "online-safety",
    "healthy-relationships",
    "consent-and-the-law",
    "risk",
    "positive-choices",
    "getting-help",
    "going-to-court",
    "closure",
]

GOOD_MODULE = """\
id: {id}
version: 1
order: 1
title: A test module
summary: A short module for tests.
minutes: 5
outcome: The young person knows the test is working.
steps:
  - id: hello
    kind: message
    text: Hi. You can pause or skip at any time.
  - id: pick
    kind: choice
    text: Which do you like?
    options:
      - label: Cats
        feedback: Cats are great.
      - label: Dogs
        feedback: Dogs are great too.
  - id: check
    kind: quiz
    text: Is it ever your fault?
    options:
      - label: "No"
        correct: true
      - label: "Yes"
        feedback: It can feel that way, but no.
    explanation: It is never your fault.
  - id: help
    kind: signpost
    text: Here is who can help.
    contacts: [childline]
completion: Well done.
"""


def make_root(tmp_path: Path, files: dict[str, str]) -> Path:
    """A content folder with the real contacts and the given modules."""
    (tmp_path / "modules").mkdir()
    shutil.copy(CONTENT_DIR / "contacts.yaml", tmp_path / "contacts.yaml")
    for name, text in files.items():
        (tmp_path / "modules" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def problems_of(root: Path) -> list[str]:
    return [str(p) for p in check_all(root).problems]


# --- the real content -------------------------------------------------------------------------


def test_the_real_content_passes_every_check():
    report = check_all()
    assert report.problems == []
    assert [row.module for row in report.rows] == MODULE_IDS


def test_main_prints_the_table_and_exits_0_on_the_real_content(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:7] == [
        "module", "min", "steps", "words", "ease", "grade", "avg"
    ]
    for module_id in MODULE_IDS:
        assert f"\n{module_id} " in out
    assert out.rstrip().endswith("Content OK.")


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_each_module_validates_and_keeps_the_house_rules(module_id):
    module = load_module_file(CONTENT_DIR / "modules" / f"{module_id}.yaml")
    assert module.id == module_id
    assert module.version == 1
    assert 5 <= module.minutes <= 10
    assert module.title and module.summary and module.outcome and module.completion
    assert module.steps[-1].kind == "signpost"
    assert len([s for s in module.steps if s.kind in ("choice", "quiz")]) >= 2
    assert "pause" in module.steps[0].text.lower()
    for step in module.steps:
        for option in getattr(step, "options", []):
            assert len(option.label) <= 25, f"{step.id}: {option.label!r} is long for a phone"
            if step.kind == "choice":
                assert option.feedback.strip()


def test_modules_are_in_order_one_to_ten():
    modules = load_modules()
    assert list(modules) == MODULE_IDS
    assert [m.order for m in modules.values()] == list(range(1, 11))


def test_every_legal_step_in_the_law_module_names_its_act_and_section():
    module = load_module_file(CONTENT_DIR / "modules" / "consent-and-the-law.yaml")
    legal = {s.id for s in module.steps if s.sources}
    assert legal >= {
        "under-13", "under-16", "messages", "age-quiz", "position-of-trust",
        "exploitation-law", "images", "victim", "picture-quiz",
    }
    for step in module.steps:
        for source in step.sources:
            assert "s." in source or "ss." in source or "outcome 21" in source.lower() or (
                "College of Policing" in source
            ), source


def test_the_law_module_has_the_right_sections():
    module = load_module_file(CONTENT_DIR / "modules" / "consent-and-the-law.yaml")
    sources = {s.id: " ".join(s.sources) for s in module.steps}
    assert "ss.5-8" in sources["under-13"]
    assert "ss.9-15" in sources["under-16"]
    assert "ss.16-24" in sources["position-of-trust"]
    assert "ss.48-50" in sources["exploitation-law"] and "s.47" in sources["exploitation-law"]
    assert "Protection of Children Act 1978 s.1" in sources["images"]
    assert "Criminal Justice Act 1988 s.160" in sources["images"]
    assert "Sexual Offences Act 2003 s.45" in sources["images"]


# --- age bands --------------------------------------------------------------------------------


def test_age_filter_leaves_out_min_age_14_steps_for_11_to_13s():
    court = load_module_file(CONTENT_DIR / "modules" / "going-to-court.yaml")
    younger = [s.id for s in court.steps_for("11-13")]
    older = [s.id for s in court.steps_for("14-17")]
    assert "pre-recorded" not in younger
    assert "pre-recorded" in older
    assert len(older) == len(court.steps) == len(younger) + 1
    assert [s.id for s in court.steps_for(None)] == older
    law = load_module_file(CONTENT_DIR / "modules" / "consent-and-the-law.yaml")
    assert "outcome-21" not in [s.id for s in law.steps_for("11-13")]
    assert "outcome-21" in [s.id for s in law.steps_for("14-17")]


def test_a_module_whose_signpost_is_only_for_older_teens_fails_for_11_to_13s(tmp_path):
    text = GOOD_MODULE.format(id="gated").replace(
        "  - id: help\n    kind: signpost\n", "  - id: help\n    kind: signpost\n    min_age: 14\n"
    )
    root = make_root(tmp_path, {"gated.yaml": text})
    assert problems_of(root) == [
        "gated.yaml: step check: the last step for ages 11-13 must be a signpost"
    ]


# --- broken modules name the file and the step ------------------------------------------------


def test_a_good_test_module_passes(tmp_path):
    root = make_root(tmp_path, {"good.yaml": GOOD_MODULE.format(id="good")})
    assert problems_of(root) == []


def test_a_quiz_with_no_correct_option(tmp_path):
    text = GOOD_MODULE.format(id="noright").replace("        correct: true\n", "")
    root = make_root(tmp_path, {"noright.yaml": text})
    assert problems_of(root) == [
        "noright.yaml: steps > #3 (id: check) > options: "
        "Value error, a quiz needs at least one option with correct: true"
    ]


def test_a_bad_step_kind(tmp_path):
    text = GOOD_MODULE.format(id="badkind").replace("kind: choice", "kind: video")
    root = make_root(tmp_path, {"badkind.yaml": text})
    [problem] = check_all(root).problems
    assert problem.file == "badkind.yaml"
    assert problem.where == "steps > #2 (id: pick)"
    assert problem.message.startswith("Input tag 'video' found using 'kind' does not match")


def test_a_missing_signpost(tmp_path):
    text = GOOD_MODULE.format(id="nosign").split("  - id: help")[0] + "completion: Well done.\n"
    root = make_root(tmp_path, {"nosign.yaml": text})
    assert problems_of(root) == [
        "nosign.yaml: step check: Value error, the last step must be a signpost, "
        "so every module ends with help"
    ]


def test_a_too_hard_message(tmp_path):
    hard = (
        "Understanding the psychological consequences of exploitation necessitates "
        "comprehensive therapeutic intervention."
    )
    text = GOOD_MODULE.format(id="hard").replace("text: Which do you like?", f"text: {hard}")
    root = make_root(tmp_path, {"hard.yaml": text})
    problems = check_all(root).problems
    assert [(p.file, p.where) for p in problems] == [("hard.yaml", "step pick")]
    assert problems[0].message.startswith("too hard to read: grade ")
    assert problems[0].message.endswith(
        "(at most 8); use shorter sentences and shorter words"
    )


def test_a_whole_module_that_is_too_hard_on_average(tmp_path):
    # Every message stays under 8, but together they are above 6.
    middling = "Professionals coordinate safeguarding responsibilities carefully."
    text = GOOD_MODULE.format(id="avg")
    for easy in ("Cats are great.", "Dogs are great too.", "It is never your fault.",
                 "Here is who can help.", "Which do you like?", "Well done."):
        text = text.replace(easy, middling)
    root = make_root(tmp_path, {"avg.yaml": text})
    wheres = [(p.file, p.where) for p in check_all(root).problems]
    assert ("avg.yaml", "whole module") in wheres


@pytest.mark.parametrize(
    ("phrase", "rule"),
    [
        ("Some young people are putting themselves at risk.", "victim-blaming"),
        ("Don't worry, I won't tell anyone.", "secrecy promise"),
        ("This stays between us.", "secrecy promise"),
        ("Keep it secret, OK?", "secrecy promise"),
        ("She was a child prostitute.", "adult-world words about children"),
        ("It was all consensual fun.", "adult-world words about children"),
    ],
)
def test_a_banned_phrase_is_named_with_its_file_and_step(tmp_path, phrase, rule):
    text = GOOD_MODULE.format(id="words").replace("Cats are great.", phrase)
    root = make_root(tmp_path, {"words.yaml": text})
    [problem] = check_all(root).problems
    assert problem.file == "words.yaml"
    assert problem.where == "step pick > option 1 (Cats) > feedback"
    assert f"({rule}:" in problem.message
    assert problem.message.startswith("do not say ")


def test_keep_it_secret_is_fine_when_it_describes_what_abusers_say(tmp_path):
    text = GOOD_MODULE.format(id="groomers").replace(
        "Cats are great.", "They may tell you to keep it secret. That is a warning sign."
    )
    root = make_root(tmp_path, {"groomers.yaml": text})
    assert problems_of(root) == []


def test_a_curly_apostrophe_does_not_hide_a_secrecy_promise(tmp_path):
    text = GOOD_MODULE.format(id="curly").replace("Cats are great.", "I won\u2019t tell anyone.")
    root = make_root(tmp_path, {"curly.yaml": text})
    assert problems_of(root) == [
        "curly.yaml: step pick > option 1 (Cats) > feedback: do not say \"I won't tell anyone\" "
        "(secrecy promise: The bot and the team can never promise secrecy. If someone is at risk "
        "of serious harm, a worker has to tell someone. Say what is kept private and when a "
        "worker must share it.)"
    ]


def test_a_module_with_one_interactive_step_and_no_pause(tmp_path):
    text = GOOD_MODULE.format(id="thin").replace("You can pause or skip at any time.", "Hello.")
    text = text.replace("kind: choice", "kind: message").replace(
        "    options:\n      - label: Cats\n        feedback: Cats are great.\n"
        "      - label: Dogs\n        feedback: Dogs are great too.\n",
        "",
    )
    root = make_root(tmp_path, {"thin.yaml": text})
    assert problems_of(root) == [
        "thin.yaml: steps: needs at least 2 choice or quiz steps, has 1",
        "thin.yaml: step hello: say near the start (first 2 steps) that they can pause or "
        "skip at any time",
    ]


def test_a_legal_claim_without_sources(tmp_path):
    text = GOOD_MODULE.format(id="law").replace(
        "text: Which do you like?", "text: It is against the law. Which do you like?"
    )
    root = make_root(tmp_path, {"law.yaml": text})
    assert problems_of(root) == [
        "law.yaml: step pick: says 'against the law', so it needs `sources:` (the Act and section)"
    ]


def test_an_unknown_contact_and_a_duplicate_order(tmp_path):
    first = GOOD_MODULE.format(id="one").replace("[childline]", "[batman]")
    second = GOOD_MODULE.format(id="two")
    root = make_root(tmp_path, {"one.yaml": first, "two.yaml": second})
    assert problems_of(root) == [
        "one.yaml: step help: unknown contact 'batman'",
        "two.yaml: order: order 1 is also used by one.yaml",
    ]


def test_main_exits_1_and_prints_each_problem(tmp_path, capsys):
    text = GOOD_MODULE.format(id="bad").replace("Cats are great.", "This stays between us.")
    root = make_root(tmp_path, {"bad.yaml": text})
    assert main(["--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "1 problem(s):" in out
    expected = (
        "bad.yaml: step pick > option 1 (Cats) > feedback: do not say 'This stays between us'"
    )
    assert expected in out


def test_copy_yaml_is_checked_for_language_when_it_exists(tmp_path):
    root = make_root(tmp_path, {"good.yaml": GOOD_MODULE.format(id="good")})
    (root / "copy.yaml").write_text(
        "onboarding:\n  privacy: Everything you say here is completely confidential.\n",
        encoding="utf-8",
    )
    [problem] = check_all(root).problems
    assert (problem.file, problem.where) == ("copy.yaml", "onboarding.privacy")
    assert "'completely confidential'" in problem.message


def test_loader_raises_content_error_for_a_broken_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\nversion: [\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_module_file(path)
    assert caught.value.problems[0].file == "broken.yaml"
    assert isinstance(caught.value.problems[0], Problem)


def test_pieces_cover_every_text_the_young_person_sees():
    module = load_module_file(CONTENT_DIR / "modules" / "what-is-cse.yaml")
    wheres = [p.where for p in module_pieces(module)]
    assert wheres[:4] == ["title", "summary", "outcome", "step hello"]
    assert "step fault-quiz > explanation" in wheres
    assert "step feelings > thanks" in wheres
    assert "step who-choice > option 3 (Anyone) > feedback" in wheres
    assert wheres[-1] == "completion"


def test_format_table_lines_up():
    table = format_table(check_all().rows)
    lines = table.splitlines()
    assert len(lines) == 2 + len(MODULE_IDS)
    assert set(lines[1]) <= {"-", " "}


def test_a_content_folder_without_contacts_or_modules_says_so(tmp_path):
    assert problems_of(tmp_path) == [
        "contacts.yaml: cannot read it (No such file or directory)",
        f"modules: no modules found in {tmp_path / 'modules'}",
    ]
