"""`rise-bot content check`: is every module valid, readable and safe to say?

Run it after editing any file in content/. It prints a table of how hard each module is to read,
then every problem as `file: where: message`, and exits 1 if there is any problem. It also
checks that the workers' words the code names by key are in staff.yaml (`content.staff_check`).

    python -m content.check            # the packaged content
    python -m content.check --root DIR # a copy of the content folder
    python -m content.check --area FILE  # another area's contacts (default: AREA_CONTACTS_FILE)

Warnings (a contact not checked for over a year) are printed but do not fail the check.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import textstat
import yaml

from content.language import (
    RULES_FILE,
    Rule,
    find_banned,
    first_match,
    legal_claims,
    load_negative_questions,
    load_never_graded,
    load_rules,
    load_source_triggers,
)
from content.loader import (
    CONTENT_DIR,
    ContentError,
    Problem,
    area_file_for,
    load_contacts,
    load_copy,
    load_module_file,
    load_safety_plan,
    load_wheel,
)
from content.readability import TextStats, measure
from content.schema import AgeBand, ContactBook, Module, StoryStep
from content.staff_check import staff_problems

# The rules, in one place. Grades are Flesch-Kincaid (US school grade; add 5 for an age).
MAX_MODULE_GRADE = 6.0  # the module's text taken together
MAX_MESSAGE_GRADE = 8.0  # any one message the young person reads
MAX_MESSAGE_WORDS = 60  # one idea a message, on a small screen
MIN_INTERACTIVE_STEPS = 2  # choice, quiz or story
PAUSE_WITHIN_STEPS = 2  # "you can pause" must be said in the first steps
MINUTES_RANGE = (5, 10)
INTERACTIVE_KINDS = ("choice", "quiz", "story")
MIN_STORIES = 1  # a branching scenario, where the choice changes what happens next
CHECKED_WITHIN = timedelta(days=365)  # a contact's `checked:` date older than this: a warning
EMERGENCY_KEY = "emergency"  # 999: named by every module's last step
_BANDS: tuple[AgeBand, ...] = ("11-13", "14-17")
_PAUSE = re.compile(r"\bpause\b", re.IGNORECASE)


@dataclass(frozen=True)
class Piece:
    """One piece of text in a module, and where it is, in words a content editor can follow."""

    where: str
    text: str
    is_message: bool  # shown as a chat message (not a button label, title or note for workers)
    step_id: str | None = None
    readable: bool = True  # counted in the module's reading level
    scene_id: str | None = None  # inside a story: the scene (None: the opening)


@dataclass(frozen=True)
class ReadabilityRow:
    """How hard one module is to read."""

    module: str
    file: str
    minutes: int
    steps: int
    words: int
    reading_ease: float
    grade_avg: float
    grade_max: float
    grade_max_where: str


@dataclass
class CheckReport:
    """Everything `content check` found."""

    problems: list[Problem] = field(default_factory=list)
    rows: list[ReadabilityRow] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # printed; they do not fail the check

    @property
    def ok(self) -> bool:
        return not self.problems


def _short(label: str) -> str:
    return label if len(label) <= 30 else label[:27] + "..."


def module_pieces(module: Module) -> Iterator[Piece]:
    """Every piece of text in a module, in reading order."""
    yield Piece("title", module.title, is_message=False, readable=False)
    yield Piece("summary", module.summary, is_message=False, readable=False)
    yield Piece("outcome", module.outcome, is_message=False, readable=False)
    for step in module.steps:
        at = f"step {step.id}"
        yield Piece(at, step.text, is_message=True, step_id=step.id)
        for number, option in enumerate(getattr(step, "options", []), start=1):
            name = f"{at} > option {number} ({_short(option.label)})"
            yield Piece(name, option.label, is_message=False, step_id=step.id)
            if option.feedback:
                yield Piece(f"{name} > feedback", option.feedback, is_message=True, step_id=step.id)
        if step.kind == "quiz":
            yield Piece(f"{at} > explanation", step.explanation, is_message=True, step_id=step.id)
        if step.kind == "reflection":
            yield Piece(f"{at} > thanks", step.thanks, is_message=True, step_id=step.id)
        if step.kind == "recap":
            for number, point in enumerate(step.points, start=1):
                yield Piece(f"{at} > point {number}", point, is_message=True, step_id=step.id)
        if isinstance(step, StoryStep):
            for scene in step.scenes:
                where = f"{at} > scene {scene.id}"
                yield Piece(where, scene.text, is_message=True, step_id=step.id, scene_id=scene.id)
                for number, option in enumerate(scene.options, start=1):
                    name = f"{where} > option {number} ({_short(option.label)})"
                    yield Piece(name, option.label, is_message=False, step_id=step.id,
                                scene_id=scene.id)
                    if option.feedback:
                        yield Piece(f"{name} > feedback", option.feedback, is_message=True,
                                    step_id=step.id, scene_id=scene.id)
    yield Piece("completion", module.completion, is_message=True)


def independent_grade(text: str) -> float:
    """Flesch-Kincaid grade by textstat (its own word, sentence and syllable counting), as a
    second opinion on ours; list items and lines count as sentences, as ours do."""
    lines = [line.strip(" •\t") for line in text.splitlines() if line.strip(" •\t")]
    joined = " ".join(line if line[-1] in ".!?" else line + "." for line in lines)
    return float(textstat.flesch_kincaid_grade(joined)) if joined else 0.0


def _readability(module: Module, file: str) -> tuple[ReadabilityRow, list[Problem]]:
    problems: list[Problem] = []
    total = TextStats()
    worst_grade, worst_where = float("-inf"), ""
    everything: list[str] = []
    for piece in module_pieces(module):
        if not piece.readable:
            continue
        stats = measure(piece.text)
        total += stats
        everything.append(piece.text)
        if not piece.is_message:
            continue
        if stats.grade > worst_grade:
            worst_grade, worst_where = stats.grade, piece.where
        other = independent_grade(piece.text)
        if stats.grade > MAX_MESSAGE_GRADE:
            problems.append(
                Problem(
                    file,
                    piece.where,
                    f"too hard to read: grade {stats.grade:.1f} (at most {MAX_MESSAGE_GRADE:g}); "
                    "use shorter sentences and shorter words",
                )
            )
        elif other > MAX_MESSAGE_GRADE:
            problems.append(
                Problem(
                    file,
                    piece.where,
                    f"too hard to read: grade {other:.1f} by textstat (at most "
                    f"{MAX_MESSAGE_GRADE:g}); use shorter sentences and shorter words",
                )
            )
        if stats.words > MAX_MESSAGE_WORDS:
            problems.append(
                Problem(
                    file,
                    piece.where,
                    f"too long: {stats.words} words (at most {MAX_MESSAGE_WORDS}); "
                    "split it into two steps",
                )
            )
    if total.grade > MAX_MODULE_GRADE:
        problems.append(
            Problem(
                file,
                "whole module",
                f"too hard to read: average grade {total.grade:.1f} (at most {MAX_MODULE_GRADE:g})",
            )
        )
    else:
        other = independent_grade("\n".join(everything))
        if other > MAX_MODULE_GRADE:
            problems.append(Problem(file, "whole module", f"too hard to read: average grade "
                                    f"{other:.1f} by textstat (at most {MAX_MODULE_GRADE:g})"))
    row = ReadabilityRow(
        module=module.id,
        file=file,
        minutes=module.minutes,
        steps=len(module.steps),
        words=total.words,
        reading_ease=total.reading_ease,
        grade_avg=total.grade,
        grade_max=worst_grade,
        grade_max_where=worst_where,
    )
    return row, problems


def _language(pieces: list[Piece], file: str, rules: list[Rule]) -> list[Problem]:
    problems: list[Problem] = []
    for piece in pieces:
        for hit in find_banned(piece.text, rules):
            problems.append(
                Problem(
                    file,
                    piece.where,
                    f"do not say {hit.phrase!r} "
                    f"({hit.rule.name}: {hit.rule.why} {hit.rule.instead})",
                )
            )
    return problems


def _structure(module: Module, file: str, contacts: ContactBook | None = None) -> list[Problem]:
    """Shape rules, checked for what each age band actually sees."""
    problems: list[Problem] = []
    low, high = MINUTES_RANGE
    if not low <= module.minutes <= high:
        problems.append(
            Problem(
                file, "minutes", f"a module takes {low} to {high} minutes, not {module.minutes}"
            )
        )
    gated = any(step.min_age or step.max_age for step in module.steps)
    bands: list[AgeBand | None] = [b for b in _BANDS if module.is_for(b)] if gated else [None]
    for band in bands:
        steps = module.steps_for(band)
        for_band = f" for ages {band}" if band else ""
        interactive = [s for s in steps if s.kind in INTERACTIVE_KINDS]
        if len(interactive) < MIN_INTERACTIVE_STEPS:
            problems.append(
                Problem(
                    file,
                    "steps",
                    f"needs at least {MIN_INTERACTIVE_STEPS} choice, quiz or story steps{for_band}, "
                    f"has {len(interactive)}",
                )
            )
        stories = [s for s in steps if s.kind == "story"]
        if len(stories) < MIN_STORIES:
            problems.append(
                Problem(file, "steps", f"needs a story step{for_band} (a scenario where the "
                        "young person's choice changes what happens next)")
            )
        if not steps or steps[-1].kind != "signpost":
            last = steps[-1].id if steps else "(none)"
            problems.append(
                Problem(file, f"step {last}", f"the last step{for_band} must be a signpost")
            )
        else:
            if len(steps) < 2 or steps[-2].kind != "recap":
                problems.append(Problem(file, f"step {steps[-1].id}", f"the step before the "
                                        f"signpost{for_band} must be a recap card"))
            problems.extend(_last_step_lines(steps[-1], file, contacts))
        opening = steps[:PAUSE_WITHIN_STEPS]
        if not any(_PAUSE.search(step.text) for step in opening):
            first = opening[0].id if opening else "(none)"
            problems.append(
                Problem(
                    file,
                    f"step {first}",
                    f"say near the start (first {PAUSE_WITHIN_STEPS} steps{for_band}) that "
                    "they can pause or skip at any time",
                )
            )
    return problems


def _last_step_lines(step: Any, file: str, contacts: ContactBook | None) -> list[Problem]:
    """The last step names 999 and at least one phone line besides."""
    if contacts is None:
        return []
    keys = [key for key in step.contacts if key in contacts.contacts]
    problems = []
    if EMERGENCY_KEY not in keys:
        problems.append(Problem(file, f"step {step.id}", "the last step must name 999 "
                                f"(contact {EMERGENCY_KEY!r})"))
    if not any(contacts.contacts[key].phone for key in keys if key != EMERGENCY_KEY):
        problems.append(Problem(file, f"step {step.id}", "the last step must name at least one "
                                "phone line besides 999"))
    return problems


def _sources(module: Module, file: str, triggers: tuple[re.Pattern[str], ...]) -> list[Problem]:
    """A step that states the law names its Act and section in `sources:` (a story's scene may
    name its own)."""
    problems: list[Problem] = []
    by_step: dict[str, list[str]] = {}
    scene_sources: dict[tuple[str, str], list[str]] = {}
    for step in module.steps:
        for scene in getattr(step, "scenes", []):
            scene_sources[(step.id, scene.id)] = scene.sources
    for piece in module_pieces(module):
        if not piece.step_id:
            continue
        claims = legal_claims(piece.text, triggers)
        if claims and piece.scene_id and scene_sources.get((piece.step_id, piece.scene_id)):
            continue
        by_step.setdefault(piece.step_id, []).extend(claims)
    for step in module.steps:
        claims = by_step.get(step.id, [])
        if claims and not step.sources:
            problems.append(
                Problem(
                    file,
                    f"step {step.id}",
                    f"says {claims[0]!r}, so it needs `sources:` (the Act and section)",
                )
            )
    return problems


def _questions(module: Module, file: str, never_graded: tuple[re.Pattern[str], ...],
               negative: tuple[re.Pattern[str], ...]) -> list[Problem]:
    """Blame is never graded; questions are asked the positive way round."""
    problems: list[Problem] = []
    for step in module.steps:
        if step.kind == "quiz":
            for text in [step.text, *(o.label for o in step.options)]:
                word = first_match(text, never_graded)
                if word:
                    problems.append(Problem(file, f"step {step.id}", f"a question about blame "
                                            f"({word!r}) is never graded: make it a choice, with "
                                            "kind feedback for every answer"))
                    break
        questions = [(f"step {step.id}", step.text)] if step.kind in INTERACTIVE_KINDS else []
        questions += [(f"step {step.id} > scene {scene.id}", scene.text)
                      for scene in getattr(step, "scenes", []) if scene.options]
        for where, text in questions:
            found = first_match(text, negative)
            if found:
                problems.append(Problem(file, where, f"ask it the positive way round, not "
                                        f"{found!r} (negative questions are hard to read)"))
    return problems


def _contacts(contacts: ContactBook, national: str, area: str, today: date) -> tuple[
        list[Problem], list[Problem]]:
    """Every contact has a `checked:` date (a warning when it is over a year old) and, when it
    has a number, the `sources:` it was checked against."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    area_keys = _area_keys(area)
    for key, contact in contacts.contacts.items():
        file = area if key in area_keys else national
        where = f"contacts > {key}"
        if contact.checked is None:
            problems.append(Problem(file, where, "no `checked:` date: ring the number or read "
                                    "the service's own page, then write the date"))
        elif today - contact.checked > CHECKED_WITHIN:
            warnings.append(Problem(file, where, f"last checked {contact.checked.isoformat()}, "
                                    "over a year ago: check the number and when it is open"))
        if (contact.phone or contact.text) and not contact.sources:
            problems.append(Problem(file, where, "a number needs `sources:` (the service's own "
                                    "page that gives it)"))
    return problems, warnings


def _area_keys(area: str) -> set[str]:
    try:
        data = yaml.safe_load(Path(area).read_text(encoding="utf-8"))
        return set((data or {}).get("contacts", {}))
    except (OSError, yaml.YAMLError, AttributeError):
        return set()


def _where_for_whole_module(path: Path, problem: Problem) -> Problem:
    """Name the step for module-level schema errors that are about one step."""
    if problem.where or "last step" not in problem.message:
        return problem
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        last = data["steps"][-1]
        step_id = last.get("id", f"#{len(data['steps'])}")
        return Problem(problem.file, f"step {step_id}", problem.message)
    except (yaml.YAMLError, KeyError, IndexError, TypeError, AttributeError):
        return problem


def check_all(root: Path | None = None, area_file: Path | None = None,
              today: date | None = None) -> CheckReport:
    """Check the content folder (the packaged one by default) with an area's contacts (the
    folder's own, or the packaged area, by default) and measure every module."""
    root = root or CONTENT_DIR
    today = today or date.today()
    report = CheckReport()
    rules_file = root / "language_rules.yaml"
    if not rules_file.exists():
        rules_file = RULES_FILE
    try:
        rules = load_rules(rules_file)
        triggers = load_source_triggers(rules_file)
        never_graded = load_never_graded(rules_file)
        negative = load_negative_questions(rules_file)
    except (ValueError, OSError, yaml.YAMLError) as error:
        report.problems.append(Problem(rules_file.name, "", f"cannot read the rules: {error}"))
        return report

    contacts = None
    area = area_file_for(root, area_file)
    try:
        contacts = load_contacts(root / "contacts.yaml", area)
    except ContentError as error:
        report.problems.extend(error.problems)
    except OSError as error:
        report.problems.append(Problem("contacts.yaml", "", f"cannot read it ({error.strerror})"))
    else:
        problems, warnings = _contacts(contacts, "contacts.yaml", str(area), today)
        report.problems.extend(Problem(Path(p.file).name, p.where, p.message) for p in problems)
        report.warnings.extend(Problem(Path(p.file).name, p.where, p.message) for p in warnings)

    module_files = sorted((root / "modules").glob("*.yaml"))
    if not module_files:
        report.problems.append(Problem("modules", "", f"no modules found in {root / 'modules'}"))
    modules: list[Module] = []
    for path in module_files:
        try:
            module = load_module_file(path)
        except ContentError as error:
            report.problems.extend(_where_for_whole_module(path, p) for p in error.problems)
            continue
        modules.append(module)
        file = path.name
        row, problems = _readability(module, file)
        report.rows.append(row)
        report.problems.extend(problems)
        report.problems.extend(_language(list(module_pieces(module)), file, rules))
        report.problems.extend(_structure(module, file, contacts))
        report.problems.extend(_sources(module, file, triggers))
        report.problems.extend(_questions(module, file, never_graded, negative))
        if contacts is not None:
            for step in module.steps:
                for key in getattr(step, "contacts", []):
                    if key not in contacts.contacts:
                        report.problems.append(
                            Problem(file, f"step {step.id}", f"unknown contact {key!r}")
                        )

    orders: dict[int, str] = {}
    for module in sorted(modules, key=lambda m: m.id):
        if module.order in orders:
            report.problems.append(
                Problem(
                    f"{module.id}.yaml",
                    "order",
                    f"order {module.order} is also used by {orders[module.order]}.yaml",
                )
            )
        orders.setdefault(module.order, module.id)
    report.rows.sort(key=lambda r: next((m.order for m in modules if m.id == r.module), 0))

    copy_file = root / "copy.yaml"
    if copy_file.exists():
        try:
            copy = load_copy(copy_file)
        except ContentError as error:
            report.problems.extend(error.problems)
        else:
            pieces = [Piece(key, text, is_message=True) for key, text in copy.items()]
            report.problems.extend(_language(pieces, copy_file.name, rules))
    report.problems.extend(_wheel_and_plan(root, rules))
    report.problems.extend(_staff(root))
    return report


def _staff(root: Path) -> list[Problem]:
    """Workers' words (the folder's own staff.yaml, or the packaged one, as the bot reads them):
    every key the code uses is there, with its placeholders filled."""
    staff_file = root / "staff.yaml" if (root / "staff.yaml").exists() else CONTENT_DIR / "staff.yaml"
    try:
        words = load_copy(staff_file)
    except ContentError as error:
        return list(error.problems)
    return staff_problems({f"staff.{key}": text for key, text in words.items()})


def _wheel_and_plan(root: Path, rules: list[Rule]) -> list[Problem]:
    """The outcome wheel and the safety plan (when the folder has them, like copy.yaml): valid,
    readable, and kind words only."""
    problems: list[Problem] = []
    wheel_file, plan_file = root / "wheel.yaml", root / "safety_plan.yaml"
    pieces: list[tuple[str, Piece]] = []
    if wheel_file.exists():
        try:
            wheel = load_wheel(wheel_file)
        except ContentError as error:
            problems.extend(error.problems)
        else:
            for area in wheel.areas:
                at = f"area {area.id}"
                pieces += [(wheel_file.name, Piece(f"{at} > question", area.question, True)),
                           (wheel_file.name, Piece(f"{at} > name", area.name, False)),
                           (wheel_file.name, Piece(f"{at} > low", area.low, False)),
                           (wheel_file.name, Piece(f"{at} > high", area.high, False))]
    if plan_file.exists():
        try:
            plan = load_safety_plan(plan_file)
        except ContentError as error:
            problems.extend(error.problems)
        else:
            for section in plan.sections:
                at = f"section {section.id}"
                pieces += [(plan_file.name, Piece(f"{at} > ask", section.ask, True)),
                           (plan_file.name, Piece(f"{at} > title", section.title, False))]
                pieces += [(plan_file.name, Piece(f"{at} > suggestion", s, False))
                           for s in section.suggestions]
    for file, piece in pieces:
        problems.extend(_language([piece], file, rules))
        stats = measure(piece.text)
        if piece.is_message and stats.grade > MAX_MESSAGE_GRADE:
            problems.append(Problem(file, piece.where, f"too hard to read: grade {stats.grade:.1f} "
                                    f"(at most {MAX_MESSAGE_GRADE:g}); use shorter sentences"))
    return problems


def format_table(rows: list[ReadabilityRow]) -> str:
    """The reading-age table, one module a line."""
    header = (
        "module", "min", "steps", "words", "ease", "grade avg", "grade max", "hardest message"
    )
    lines = [
        (
            r.module,
            str(r.minutes),
            str(r.steps),
            str(r.words),
            f"{r.reading_ease:.1f}",
            f"{r.grade_avg:.1f}",
            f"{r.grade_max:.1f}",
            r.grade_max_where,
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    numeric = {1, 2, 3, 4, 5, 6}

    def fmt(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(line) for line in lines)])


def main(argv: list[str] | None = None) -> int:
    """Print the table and every problem; 1 if there is any problem, else 0."""
    parser = argparse.ArgumentParser(
        prog="rise-bot content check", description="Check the bot's content before it goes live."
    )
    parser.add_argument("--root", type=Path, default=None, help="content folder to check")
    default_area = os.environ.get("AREA_CONTACTS_FILE") or None
    parser.add_argument("--area", type=Path, default=default_area,
                        help="the area's contacts (default: AREA_CONTACTS_FILE, else the packaged)")
    args = parser.parse_args(argv)
    report = check_all(args.root, args.area)
    if report.rows:
        print(format_table(report.rows))
        print(
            f"\nGrade is Flesch-Kincaid (add 5 for a reading age). Limits: module average "
            f"{MAX_MODULE_GRADE:g}, any message {MAX_MESSAGE_GRADE:g}."
        )
    if report.warnings:
        print(f"\n{len(report.warnings)} warning(s):")
        for warning in report.warnings:
            print(f"warning: {warning}")
    if report.problems:
        print(f"\n{len(report.problems)} problem(s):")
        for problem in report.problems:
            print(str(problem))
        return 1
    print("\nContent OK.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
