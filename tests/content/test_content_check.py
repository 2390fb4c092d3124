"""`rise-bot content check`: the real content passes, and broken content is named clearly."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
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
    text: Can you stop at any time?
    options:
      - label: "Yes"
        correct: true
      - label: "No"
        feedback: It can feel that way, but yes, you can.
    explanation: You can stop at any time.
  - id: walk
    kind: story
    text: Kim goes for a walk. Which way?
    options:
      - label: To the park
        next: park
      - label: To the shop
        next: shop
    scenes:
      - id: park
        text: Kim sees a dog in the park.
      - id: shop
        text: Kim buys some milk.
  - id: recap
    kind: recap
    text: Things to remember
    points:
      - You can stop at any time.
      - Help is always there.
  - id: help
    kind: signpost
    text: Here is who can help.
    contacts: [childline, emergency]
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
    assert module.version == 2  # the second edition (issue 19)
    assert 5 <= module.minutes <= 10
    assert module.title and module.summary and module.outcome and module.completion
    assert module.steps[-1].kind == "signpost"
    assert "emergency" in module.steps[-1].contacts
    assert module.steps[-2].kind == "recap"
    assert any(s.kind == "story" for s in module.steps)
    assert len([s for s in module.steps if s.kind in ("choice", "quiz", "story")]) >= 2
    assert "pause" in module.steps[0].text.lower()
    for step in module.steps:
        for option in getattr(step, "options", []):
            assert len(option.label) <= 25, f"{step.id}: {option.label!r} is long for a phone"
            if step.kind == "choice":
                assert option.feedback.strip()
        for scene in getattr(step, "scenes", []):
            for option in scene.options:
                assert len(option.label) <= 25, f"{step.id}: {option.label!r} is long for a phone"


def test_modules_are_in_order_one_to_ten():
    modules = load_modules()
    assert list(modules) == MODULE_IDS
    assert [m.order for m in modules.values()] == list(range(1, 11))


def test_every_legal_step_in_the_law_module_names_its_act_and_section():
    module = load_module_file(CONTENT_DIR / "modules" / "consent-and-the-law.yaml")
    legal = {s.id for s in module.steps if s.sources}
    assert legal >= {
        "consent", "freeze", "under-13", "under-16", "same-age", "messages", "age-quiz",
        "position-of-trust", "exploitation-law", "images", "not-in-trouble", "outcome-21",
        "outcome-21-record", "victim",
    }
    guidance = ("UKCIS", "College of Policing", "Home Office", "Crown Prosecution Service")
    for step in module.steps:
        for source in step.sources:
            assert "s." in source or "ss." in source or any(g in source for g in guidance) or (
                source == "Sexual Offences Act 2003 (England and Wales)"), source


def test_the_law_module_has_the_right_sections():
    module = load_module_file(CONTENT_DIR / "modules" / "consent-and-the-law.yaml")
    sources = {s.id: " ".join(s.sources) for s in module.steps}
    assert "s.74" in sources["consent"] and "s.74" in sources["freeze"]
    assert "ss.5-8" in sources["under-13"]
    assert "ss.9-15" in sources["under-16"]
    assert "s.13" in sources["same-age"]
    assert "ss.16-24" in sources["position-of-trust"]
    assert "ss.48-50" in sources["exploitation-law"] and "s.47" in sources["exploitation-law"]
    assert "Protection of Children Act 1978 s.1" in sources["images"]
    assert "Criminal Justice Act 1988 s.160" in sources["images"]
    assert "Sexual Offences Act 2003 s.45" in sources["images"]
    assert "UKCIS" in sources["outcome-21"] and "2024" in sources["outcome-21"]
    assert "UKCIS" in sources["not-in-trouble"]


def test_the_other_modules_cite_the_laws_the_review_asked_for():
    def sources_of(module_id: str) -> str:
        module = load_module_file(CONTENT_DIR / "modules" / f"{module_id}.yaml")
        return " ".join(src for s in module.steps for src in s.sources)

    grooming = sources_of("grooming")
    for section in ("s.15 ", "s.15A", "s.12 ", "s.66A", "s.66B", "s.7(7)"):
        assert section in grooming, section
    risk = sources_of("risk")
    for section in ("Modern Slavery Act 2015 s.2", "s.45", "National Referral Mechanism",
                    "Child Abduction Warning Notices", "county lines"):
        assert section in risk, section
    court = sources_of("going-to-court")
    for section in ("s.28", "s.19", "s.22", "Sexual Offences (Amendment) Act 1992 s.1",
                    "Victims' Right to Review", "Code of Practice for Victims", "Pre-Trial Therapy"):
        assert section in court, section
    assert "Working Together" in sources_of("what-is-cse")


# --- age bands --------------------------------------------------------------------------------


def test_age_bands_see_their_own_versions_of_steps():
    court = load_module_file(CONTENT_DIR / "modules" / "going-to-court.yaml")
    younger = [s.id for s in court.steps_for("11-13")]
    older = [s.id for s in court.steps_for("14-17")]
    assert "questions-young" in younger and "questions" not in younger  # told, gently
    assert "questions" in older and "questions-young" not in older
    assert "pre-recorded-young" in younger and "pre-recorded" in older
    assert "turning-18" in older and "turning-18" not in younger
    assert [s.id for s in court.steps_for(None)] == older  # not known yet: the older version
    law = load_module_file(CONTENT_DIR / "modules" / "consent-and-the-law.yaml")
    younger = [s.id for s in law.steps_for("11-13")]
    older = [s.id for s in law.steps_for("14-17")]
    assert "not-in-trouble" in younger and "outcome-21" not in younger  # reassured too
    assert "outcome-21" in older and "not-in-trouble" not in older
    assert "position-of-trust" in older and "position-of-trust" not in younger


def test_a_module_whose_signpost_is_only_for_older_teens_fails_for_11_to_13s(tmp_path):
    text = GOOD_MODULE.format(id="gated").replace(
        "  - id: help\n    kind: signpost\n", "  - id: help\n    kind: signpost\n    min_age: 14\n"
    )
    root = make_root(tmp_path, {"gated.yaml": text})
    assert problems_of(root) == [
        "gated.yaml: step recap: the last step for ages 11-13 must be a signpost"
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
        "nosign.yaml: step recap: Value error, the last step must be a signpost, "
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
    for easy in ("Cats are great.", "Dogs are great too.", "You can stop at any time.",
                 "Here is who can help.", "Which do you like?", "Well done.",
                 "Kim sees a dog in the park.", "Kim buys some milk.", "Help is always there."):
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
    story, rest = text.split("  - id: walk")[1].split("  - id: recap")
    text = text.replace(story, "\n    kind: message\n    text: Kim goes for a walk.\n")
    text = text.replace("kind: choice", "kind: message").replace(
        "    options:\n      - label: Cats\n        feedback: Cats are great.\n"
        "      - label: Dogs\n        feedback: Dogs are great too.\n",
        "",
    )
    root = make_root(tmp_path, {"thin.yaml": text})
    assert problems_of(root) == [
        "thin.yaml: steps: needs at least 2 choice, quiz or story steps, has 1",
        "thin.yaml: steps: needs a story step (a scenario where the young person's choice "
        "changes what happens next)",
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
    first = GOOD_MODULE.format(id="one").replace("[childline, emergency]",
                                                 "[batman, childline, emergency]")
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
    assert "step love-quiz > explanation" in wheres
    assert "step story > option 1 (Keeps chatting) > feedback" in wheres
    assert "step story > scene owe" in wheres
    assert "step story > scene owe > option 2 (Tells his brother)" in wheres
    assert "step recap > point 1" in wheres
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


# --- the second edition's checks (issue 19) ---------------------------------------------------


def test_a_quiz_about_blame_is_never_graded(tmp_path):
    text = GOOD_MODULE.format(id="blame").replace(
        "text: Can you stop at any time?", "text: Whose fault is it when an adult lies?")
    root = make_root(tmp_path, {"blame.yaml": text})
    assert problems_of(root) == [
        "blame.yaml: step check: a question about blame ('fault') is never graded: make it a "
        "choice, with kind feedback for every answer"]


def test_a_negative_question_is_asked_the_positive_way_round(tmp_path):
    text = GOOD_MODULE.format(id="neg").replace(
        "text: Which do you like?", "text: Which of these is NOT a pet?")
    root = make_root(tmp_path, {"neg.yaml": text})
    assert problems_of(root) == [
        "neg.yaml: step pick: ask it the positive way round, not 'Which of these is NOT a pet?' "
        "(negative questions are hard to read)"]


@pytest.mark.parametrize(("phrase", "found"), [
    ("It is not there to punish you for being used.", "being used"),
    ("They used you.", "used you"),
    ("Trust your gut.", "Trust your gut"),
    ("Now you can make positive choices.", "positive choices"),
])
def test_shaming_and_hindsight_words_are_banned(tmp_path, phrase, found):
    text = GOOD_MODULE.format(id="shame").replace("Cats are great.", phrase)
    root = make_root(tmp_path, {"shame.yaml": text})
    [problem] = check_all(root).problems
    assert problem.message.startswith(f"do not say {found!r}")


def test_used_about_things_is_fine(tmp_path):
    text = GOOD_MODULE.format(id="things").replace("Cats are great.", "That link was used up.")
    text = text.replace("Dogs are great too.", "I used to like dogs.")
    root = make_root(tmp_path, {"things.yaml": text})
    assert problems_of(root) == []


def test_every_module_needs_a_story_and_a_recap_card(tmp_path):
    text = GOOD_MODULE.format(id="flat")
    story = text.split("  - id: walk")[1].split("  - id: recap")[0]
    recap = text.split("  - id: recap")[1].split("  - id: help")[0]
    text = text.replace("  - id: walk" + story, "").replace("  - id: recap" + recap, "")
    root = make_root(tmp_path, {"flat.yaml": text})
    assert problems_of(root) == [
        "flat.yaml: steps: needs a story step (a scenario where the young person's choice "
        "changes what happens next)",
        "flat.yaml: step help: the step before the signpost must be a recap card"]


@pytest.mark.parametrize(("contacts", "problem"), [
    ("[childline]", "the last step must name 999 (contact 'emergency')"),
    ("[ceop, emergency]", "the last step must name at least one phone line besides 999"),
])
def test_the_last_step_names_a_phone_line_and_999(tmp_path, contacts, problem):
    text = GOOD_MODULE.format(id="lines").replace("[childline, emergency]", contacts)
    root = make_root(tmp_path, {"lines.yaml": text})
    assert problems_of(root) == [f"lines.yaml: step help: {problem}"]


def test_a_story_that_goes_nowhere_or_round_in_circles_is_caught(tmp_path):
    nowhere = GOOD_MODULE.format(id="nowhere").replace("next: shop", "next: moon")
    circle = GOOD_MODULE.format(id="circle").replace(
        "        text: Kim buys some milk.",
        "        text: Kim buys some milk.\n        options:\n"
        "          - label: Back to the park\n            next: park\n"
        "          - label: Stay\n            next: shop")
    root = make_root(tmp_path, {"nowhere.yaml": nowhere, "circle.yaml": circle.replace(
        "order: 1", "order: 2")})
    assert problems_of(root) == [
        "circle.yaml: steps > #4 (id: walk): Value error, a story must not go round in a circle: "
        "every path needs an ending",
        "nowhere.yaml: steps > #4 (id: walk): Value error, option 'To the shop' leads to unknown "
        "scene 'moon'"]


def test_textstat_is_the_second_opinion_on_reading_age():
    from content.check import independent_grade

    assert independent_grade("The cat sat on the mat.") < 2
    assert independent_grade("Understanding the psychological consequences of exploitation "
                             "necessitates comprehensive therapeutic intervention.") > 8
    assert independent_grade("• one thing\n• two things") == independent_grade(
        "one thing. two things.")


# --- contacts: the area file, checked dates, sources ------------------------------------------


AREA = """\
area: Testshire
contacts:
  local_team:
    name: Testshire child safety team
    phone: "01234 567890"
    when: Weekdays, in the day. A duty worker answers.
    checked: {checked}
    sources: ["https://testshire.example/safeguarding"]
  local_out_of_hours:
    name: Testshire out of hours
    phone: "01234 000000"
    when: Evenings, nights and weekends.
    checked: {checked}
    sources: ["https://testshire.example/safeguarding"]
  sarc:
    name: Testshire SARC
    url: https://www.nhs.uk/sarcs
    when: Any time.
    checked: {checked}
  camhs:
    name: Testshire CAMHS
    url: https://testshire.example/camhs
    when: Ask your GP.
    checked: {checked}
"""


def test_another_area_changes_one_file(tmp_path):
    from content.loader import load_content

    area = tmp_path / "testshire.yaml"
    area.write_text(AREA.format(checked="2026-11-01"), encoding="utf-8")
    content = load_content(area_file=area)
    assert content.contacts.area == "Testshire"
    assert content.contacts.contacts["local_team"].phone == "01234 567890"
    assert content.contacts.contacts["childline"].phone == "0800 1111"  # national, unchanged
    assert check_all(area_file=area, today=date(2026, 12, 1)).problems == []
    packaged = load_content()
    assert packaged.contacts.area == "Northamptonshire"
    assert packaged.contacts.contacts["local_team"].phone == "0300 126 7000"
    assert packaged.contacts.contacts["local_out_of_hours"].phone == "01604 626938"


def test_a_contact_checked_over_a_year_ago_is_a_warning_not_a_failure(tmp_path, capsys):
    area = tmp_path / "testshire.yaml"
    area.write_text(AREA.format(checked="2025-06-30"), encoding="utf-8")
    report = check_all(area_file=area, today=date(2026, 12, 1))
    assert report.problems == []
    assert [str(w) for w in report.warnings] == [
        f"testshire.yaml: contacts > {key}: last checked 2025-06-30, over a year ago: check the "
        "number and when it is open" for key in ("local_team", "local_out_of_hours", "sarc", "camhs")]


def test_main_prints_warnings_and_still_exits_0(tmp_path, capsys, monkeypatch):
    area = tmp_path / "testshire.yaml"
    area.write_text(AREA.format(checked="2020-01-01"), encoding="utf-8")
    monkeypatch.setenv("AREA_CONTACTS_FILE", str(area))
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "4 warning(s):\nwarning: testshire.yaml: contacts > local_team: last checked 2020-01-01" in out
    assert out.rstrip().endswith("Content OK.")


def test_a_contact_with_no_checked_date_or_no_sources_fails(tmp_path):
    area = tmp_path / "testshire.yaml"
    text = AREA.format(checked="2026-11-01").replace(
        '    checked: 2026-11-01\n    sources: ["https://testshire.example/safeguarding"]\n', "", 1)
    area.write_text(text, encoding="utf-8")
    assert [str(p) for p in check_all(area_file=area, today=date(2026, 12, 1)).problems] == [
        "testshire.yaml: contacts > local_team: no `checked:` date: ring the number or read the "
        "service's own page, then write the date",
        "testshire.yaml: contacts > local_team: a number needs `sources:` (the service's own page "
        "that gives it)"]


def test_a_contact_in_both_files_is_named(tmp_path):
    area = tmp_path / "testshire.yaml"
    area.write_text(AREA.format(checked="2026-11-01") + (
        "  childline:\n    name: Childline\n    phone: \"0800 1111\"\n    when: Any time.\n"
        "    checked: 2026-11-01\n    sources: [x]\n"), encoding="utf-8")
    assert [str(p) for p in check_all(area_file=area).problems] == [
        "testshire.yaml: contacts > childline: 'childline' is also in contacts.yaml; keep it in "
        "one file"]


def test_every_packaged_contact_has_a_recent_checked_date_and_sources():
    from content.loader import load_contacts

    for key, contact in load_contacts().contacts.items():
        assert contact.checked is not None, key
        assert contact.sources, key
    assert check_all(today=date(2026, 12, 1)).warnings == []
