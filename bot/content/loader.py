"""Read and validate the content folder; a broken file is reported as `file:line: reason`, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.models import Award, Content, Lectures, Program, Topics, WorkshopSeeds

FILES: dict[str, type[BaseModel]] = {
    "program": Program,
    "lectures": Lectures,
    "award": Award,
    "topics": Topics,
    "workshops": WorkshopSeeds,
}


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


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """The data and its node tree (for line numbers); raises ContentError with the parser's own position."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([Problem(path, None, "file is missing")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(path, None, f"cannot be read: {exc}")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise ContentError([Problem(path, line, f"not valid YAML: {exc.problem}")]) from None
    return data, node


def validate(path: Path, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    try:
        data, node = read_yaml(path)
    except ContentError as exc:
        return None, exc.problems
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            place = ".".join(str(part) for part in loc) or "(top level)"
            problems.append(Problem(path, _line_of(node, loc), f"{place}: {error['msg']}"))
        return None, problems


def load_content(directory: Path) -> Content:
    parsed: dict[str, BaseModel] = {}
    problems: list[Problem] = []
    for name, model in FILES.items():
        value, found = validate(directory / f"{name}.yaml", model)
        problems.extend(found)
        if value is not None:
            parsed[name] = value
    if problems:
        raise ContentError(problems)
    return Content.model_validate(parsed)
