"""The package uses one docstring style: reST field lists (``:param name:``, ``:raises Exc:``,
``:returns:``, ``:ivar name:``), which docs/gen_api.py parses. No Google or numpy sections."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "cdk_claim_check"
_SECTIONS = ("Args", "Arguments", "Attributes", "Raises", "Returns", "Yields")
_GOOGLE = re.compile(rf"^({'|'.join(_SECTIONS)}):$")
_NUMPY = re.compile(rf"^({'|'.join((*_SECTIONS, 'Parameters'))})$")
_UNDERLINE = re.compile(r"^-{3,}$")
_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstrings(source: str) -> Iterator[tuple[int, str]]:
    """The ``(line, docstring)`` of the module and of every class and function in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, _DOCUMENTED):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield getattr(node, "lineno", 1), doc


def _section_headers(doc: str) -> list[str]:
    """The Google-style (``Args:``) and numpy-style (``Parameters`` over dashes) headers in ``doc``."""
    lines = [line.strip() for line in doc.splitlines()]
    found = [line for line in lines if _GOOGLE.match(line)]
    found += [
        f"{line} / {below}"
        for line, below in pairwise(lines)
        if _NUMPY.match(line) and _UNDERLINE.match(below)
    ]
    return found


def _violations(source: str, name: str) -> list[str]:
    return [
        f"{name}:{line}: {header}" for line, doc in _docstrings(source) for header in _section_headers(doc)
    ]


def test_the_detector_finds_google_and_numpy_sections() -> None:
    source = (
        '"""Module.\n\nAttributes:\n    x: a value.\n"""\n'
        'class A:\n    """A class.\n\n    Parameters\n    ----------\n    y : int\n    """\n'
        '    def f(self, a: int) -> int:\n        """Do.\n\n        Args:\n            a: a value.\n\n'
        '        Returns:\n            a.\n        """\n        return a\n'
        'async def g() -> None:\n    """Wait.\n\n    Raises:\n        ValueError: never.\n    """\n'
    )
    assert _violations(source, "sample.py") == [
        "sample.py:1: Attributes:",
        "sample.py:6: Parameters / ----------",
        "sample.py:23: Raises:",
        "sample.py:13: Args:",
        "sample.py:13: Returns:",
    ]


def test_the_detector_accepts_rest_field_lists() -> None:
    source = (
        'def f(a: int) -> int:\n    """Do.\n\n    :param a: a value; see the Returns: note\n'
        '        in the prose.\n    :raises ValueError: never.\n    :returns: ``a``.\n    """\n    return a\n'
    )
    assert _violations(source, "sample.py") == []


def test_no_module_uses_google_or_numpy_docstring_sections() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert modules, f"no modules found under {PACKAGE}"
    found = [
        violation
        for path in modules
        for violation in _violations(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))
    ]
    assert found == [], "use reST fields (:param x:, :raises E:, :returns:, :ivar x:):\n" + "\n".join(found)
