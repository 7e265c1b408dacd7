"""Babel extraction for our Python files: gettext calls as usual, plus the help text of every command.

A command's help text is the first paragraph of its handler's docstring (see `Route.help`), so the
docstrings of functions decorated with `@router.command(...)` must land in the catalog too.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python


def _help_of(doc: str) -> str:
    return inspect.cleandoc(doc).split("\n\n", 1)[0].replace("\n", " ").strip()


def _is_command(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "command"
    )


def extract(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: dict[str, Any]
) -> Iterator[tuple[Any, ...]]:
    source = fileobj.read()
    fileobj.seek(0)
    # Babel's type alias for extractor results disagrees with what extract_python yields.
    yield from extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and any(map(_is_command, node.decorator_list)):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, "_", _help_of(doc), ["help text of a command (its handler's docstring)"]
