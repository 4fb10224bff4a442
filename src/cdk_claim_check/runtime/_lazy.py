"""Lazy package exports (PEP 562), so that importing a package loads only what is asked for."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], own_names: Callable[[], Mapping[str, Any]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` that imports ``exports[name]`` (a relative module) on first use, and the
    matching ``__dir__``; ``own_names`` is the package's ``globals``."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module, package), name)

    def __dir__() -> list[str]:
        return sorted({*own_names(), *exports})

    return __getattr__, __dir__
