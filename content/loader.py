"""Load and check the content folder.

Every problem is reported with its file and location so a support worker who edited a YAML file
can find and fix it without reading Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from content.schema import AreaContacts, ContactBook, Module, NationalContacts, SafetyPlan, Wheel

CONTENT_DIR = Path(__file__).resolve().parent
AREA_FILE_NAME = "area_contacts.yaml"  # the packaged area; AREA_CONTACTS_FILE points at another


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, said so a non-programmer can act on it."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        if self.where:
            return f"{self.file}: {self.where}: {self.message}"
        return f"{self.file}: {self.message}"


class ContentError(Exception):
    """Content that cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ContentError([Problem(path.name, where, f"not valid YAML ({error})")]) from error


def _location(data: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into words, naming list items by position and id."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(node, list) and isinstance(key, int):
            node = node[key] if key < len(node) else None
            item_id = node.get("id") if isinstance(node, dict) else None
            parts.append(f"#{key + 1}" + (f" (id: {item_id})" if item_id else ""))
        elif isinstance(node, dict) and key in node:
            node = node[key]
            parts.append(str(key))
        elif not isinstance(node, dict | list):
            parts.append(str(key))
    return " > ".join(parts)


def _validate(model: type[BaseModel], path: Path) -> Any:
    data = _read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [
            Problem(path.name, _location(data, tuple(e["loc"])), e["msg"]) for e in error.errors()
        ]
        raise ContentError(problems) from error


def load_module_file(path: Path) -> Module:
    """One module, validated."""
    module = _validate(Module, path)
    if module.id != path.stem:
        raise ContentError([Problem(path.name, "id", f"id {module.id!r} must match the file name")])
    return module


def load_modules(directory: Path | None = None) -> dict[str, Module]:
    """All modules, in their menu order."""
    directory = directory or CONTENT_DIR / "modules"
    modules = [load_module_file(path) for path in sorted(directory.glob("*.yaml"))]
    return {m.id: m for m in sorted(modules, key=lambda m: (m.order, m.title))}


def area_file_for(root: Path, area_file: Path | None = None) -> Path:
    """The area's contacts: the file given (AREA_CONTACTS_FILE), else the content folder's own,
    else the packaged one."""
    if area_file is not None:
        return Path(area_file)
    own = root / AREA_FILE_NAME
    return own if own.exists() else CONTENT_DIR / AREA_FILE_NAME


def load_contacts(path: Path | None = None, area_file: Path | None = None) -> ContactBook:
    """The help contacts: the national ones (`contacts.yaml`) and the area's own (the area file),
    as one book. A key in both files is a mistake, named so it can be fixed."""
    path = path or CONTENT_DIR / "contacts.yaml"
    national: NationalContacts = _validate(NationalContacts, path)
    area_path = area_file_for(path.parent, area_file)
    try:
        area: AreaContacts = _validate(AreaContacts, area_path)
    except OSError as error:
        raise ContentError([Problem(area_path.name, "", f"cannot read it ({error.strerror})")]) \
            from error
    both = sorted(set(national.contacts) & set(area.contacts))
    if both:
        raise ContentError([Problem(area_path.name, f"contacts > {key}",
                                    f"{key!r} is also in {path.name}; keep it in one file")
                            for key in both])
    try:
        return ContactBook(help_now=national.help_now, crisis=national.crisis,
                           contacts={**national.contacts, **area.contacts}, area=area.area)
    except ValidationError as error:
        raise ContentError([Problem(path.name, "help_now", e["msg"]) for e in error.errors()]) \
            from error


def load_wheel(path: Path | None = None) -> Wheel:
    """The outcome wheel's areas and words."""
    return _validate(Wheel, path or CONTENT_DIR / "wheel.yaml")


def load_safety_plan(path: Path | None = None) -> SafetyPlan:
    """The sections of the safety plan."""
    return _validate(SafetyPlan, path or CONTENT_DIR / "safety_plan.yaml")


def load_copy(path: Path | None = None) -> dict[str, str]:
    """Everything the bot says outside modules, as flat dotted keys."""
    path = path or CONTENT_DIR / "copy.yaml"
    data = _read_yaml(path)
    flat: dict[str, str] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        elif isinstance(node, str):
            flat[prefix] = node.strip()
        else:
            raise ContentError([Problem(path.name, prefix, "every value must be text")])

    walk("", data)
    return flat


@dataclass(frozen=True)
class Content:
    """Everything the flows need to speak, loaded once."""

    modules: dict[str, Module]
    contacts: ContactBook
    copy: dict[str, str]
    wheel: Wheel
    safety_plan: SafetyPlan

    def text(self, key: str, **values: object) -> str:
        """A line of copy with its {placeholders} filled in."""
        return self.copy[key].format(**values) if values else self.copy[key]


def load_content(root: Path | None = None, area_file: Path | None = None) -> Content:
    """The whole content folder, or a ContentError listing every problem.

    `area_file` is the area's contacts (AREA_CONTACTS_FILE); unset, the folder's own."""
    root = root or CONTENT_DIR
    problems: list[Problem] = []
    modules: dict[str, Module] = {}
    for path in sorted((root / "modules").glob("*.yaml")):
        try:
            module = load_module_file(path)
            modules[module.id] = module
        except ContentError as error:
            problems.extend(error.problems)
    contacts = copy = wheel = plan = None
    try:
        wheel = load_wheel(root / "wheel.yaml")
    except ContentError as error:
        problems.extend(error.problems)
    try:
        plan = load_safety_plan(root / "safety_plan.yaml")
    except ContentError as error:
        problems.extend(error.problems)
    try:
        contacts = load_contacts(root / "contacts.yaml", area_file)
    except ContentError as error:
        problems.extend(error.problems)
    try:
        copy = load_copy(root / "copy.yaml")
        # workers' words: `staff.<key>`; a content folder without its own uses the packaged one
        staff = root / "staff.yaml" if (root / "staff.yaml").exists() else CONTENT_DIR / "staff.yaml"
        copy.update({f"staff.{key}": text for key, text in load_copy(staff).items()})
    except ContentError as error:
        problems.extend(error.problems)
    if contacts is not None:
        for module in modules.values():
            for step in module.steps:
                for key in getattr(step, "contacts", []):
                    if key not in contacts.contacts:
                        where = f"step {step.id}"
                        message = f"unknown contact {key!r}"
                        problems.append(Problem(f"{module.id}.yaml", where, message))
    if problems:
        raise ContentError(problems)
    assert contacts is not None and copy is not None and wheel is not None and plan is not None
    ordered = dict(sorted(modules.items(), key=lambda kv: (kv[1].order, kv[1].title)))
    return Content(modules=ordered, contacts=contacts, copy=copy, wheel=wheel, safety_plan=plan)


ContentCheck = Callable[[Content], list[Problem]]


@cache
def default_content(area_file: Path | None = None) -> Content:
    """The packaged content (with the area file given, or the packaged area), loaded once per
    process."""
    return load_content(area_file=area_file)
