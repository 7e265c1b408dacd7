"""Read and validate the content folder; a broken file is reported as `file:line: reason`, never a traceback."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, RootModel, ValidationError

from bot.content.models import Award, Content, Faq, FaqEntry, Lectures, Program, WorkshopSeeds

FILES: dict[str, type[BaseModel]] = {
    "program": Program,
    "lectures": Lectures,
    "award": Award,
    "workshops": WorkshopSeeds,
}
# libyaml's parser is several times faster: the FAQ is most of the content and `ask` loads it on every start.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FAQ_DIR = "faq"
# Where staff's saved answers go; a file like the others, so `content check` covers it.
STAFF_FAQ_FILE = "staff.yaml"


class FaqFile(RootModel[list[FaqEntry]]):
    """One FAQ file: a list of entries."""


@dataclass(frozen=True, slots=True)
class Problem:
    file: Path
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.reason}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a 1-based line number.

    Where the path ends at a mapping (a missing field), the line is the key that holds that mapping.
    """
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def read_yaml(path: Path) -> tuple[Any, str]:
    """The data and the text (whose node tree gives line numbers); raises ContentError with the parser's position."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([Problem(path, None, "file is missing")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(path, None, f"cannot be read: {exc}")]) from None
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise ContentError([Problem(path, line, f"not valid YAML: {exc.problem}")]) from None
    return data, text


def compose(text: str) -> yaml.Node | None:
    """The node tree, for line numbers: built only when there is a problem to place."""
    return yaml.compose(text, Loader=_LOADER)


def validate(path: Path, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    try:
        data, text = read_yaml(path)
    except ContentError as exc:
        return None, exc.problems
    if data is None and issubclass(model, RootModel):
        # An empty file (e.g. staff.yaml before the first saved answer) is an empty list.
        data = []
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        node = compose(text)
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            place = ".".join(str(part) for part in loc) or "(top level)"
            problems.append(Problem(path, _line_of(node, loc), f"{place}: {error['msg']}"))
        return None, problems


def _entry_lines(path: Path) -> list[dict[str, int]]:
    """For each entry of a FAQ file, the line of each of its keys (for problems found after parsing)."""
    try:
        node = compose(read_yaml(path)[1])
    except ContentError:
        return []
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [
        {getattr(k, "value", ""): k.start_mark.line + 1 for k, _v in item.value}
        if isinstance(item, yaml.MappingNode)
        else {}
        for item in node.value
    ]


def load_faq_file(path: Path, commands: Collection[str] | None = None) -> tuple[list[FaqEntry], list[Problem]]:
    """The entries of one FAQ file and its problems; `commands` (when given) are the names actions may use."""
    value, problems = validate(path, FaqFile)
    if not isinstance(value, FaqFile):
        return [], problems
    entries = value.root
    if commands is not None:
        for i, entry in enumerate(entries):
            unknown = [name for name in entry.actions if name not in commands]
            if unknown:
                lines = _entry_lines(path)
                line = lines[i].get("actions") if i < len(lines) else None
                problems.append(Problem(path, line, f"{i}.actions: no such command {unknown}"))
    return entries, problems


def load_faq(directory: Path, commands: Collection[str] | None = None) -> tuple[Faq, list[Problem]]:
    problems: list[Problem] = []
    found: list[tuple[Path, int, FaqEntry]] = []
    for path in sorted((directory / FAQ_DIR).glob("*.yaml")):
        entries, file_problems = load_faq_file(path, commands)
        problems.extend(file_problems)
        found.extend((path, i, entry) for i, entry in enumerate(entries))
    counts = Counter(entry.id for _path, _i, entry in found)
    lines: dict[Path, list[dict[str, int]]] = {}
    first: dict[str, str] = {}
    unique: list[FaqEntry] = []
    for path, i, entry in found:
        if counts[entry.id] == 1:
            unique.append(entry)
            continue
        # Line numbers are only worth parsing the file again when there is a duplicate to place.
        file_lines = lines.setdefault(path, _entry_lines(path))
        line = file_lines[i].get("id") if i < len(file_lines) else None
        where = f"{path}:{line}" if line else str(path)
        if entry.id in first:
            problems.append(Problem(path, line, f"{i}.id: duplicate id {entry.id!r} (first at {first[entry.id]})"))
        else:
            first[entry.id] = where
            unique.append(entry)
    return Faq(entries=unique), problems


def _line_naming(path: Path, city: str) -> int | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return next((i for i, line in enumerate(text.splitlines(), 1) if city in line and "#" not in line[:1]), None)


def _city_problems(directory: Path, content: Content) -> list[Problem]:
    """Cities that would stay English in the other languages: CLDR does not know them and no `names` are given."""
    problems = []
    for city in content.unnamed_cities():
        seeds = directory / "workshops.yaml"
        path = seeds if _line_naming(seeds, f"city: {city}") else directory / "program.yaml"
        problems.append(
            Problem(
                path,
                _line_naming(path, city),
                f"city {city!r} has no name in the other languages: CLDR does not know it, so give it "
                f"`names: {{it: …, de: …, fr: …, ar: …, ko: …, zh: …}}` on its workshop in workshops.yaml",
            )
        )
    return problems


def load_content(directory: Path, commands: Collection[str] | None = None) -> Content:
    """Every content file, validated. `commands`: the command names FAQ actions may name (unchecked if None).

    A full load (the bot and `content check`, which pass `commands`) also checks that every city has its name in
    every language; `ask` skips that to start fast (it needs CLDR's zone data).
    """
    parsed: dict[str, BaseModel] = {}
    problems: list[Problem] = []
    for name, model in FILES.items():
        value, found = validate(directory / f"{name}.yaml", model)
        problems.extend(found)
        if value is not None:
            parsed[name] = value
    faq, found = load_faq(directory, commands)
    problems.extend(found)
    parsed["faq"] = faq
    if problems:
        raise ContentError(problems)
    content = Content.model_validate(parsed)
    if commands is not None:
        problems = _city_problems(directory, content)
        if problems:
            raise ContentError(problems)
    return content
