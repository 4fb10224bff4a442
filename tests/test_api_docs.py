"""API.md is generated from the docstrings by docs/gen_api.py and must not drift from them."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from _scripts import load_script

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    return load_script(Path("docs/gen_api.py"))


def test_api_md_matches_the_docstrings() -> None:
    expected = _generator().render()
    assert (ROOT / "API.md").read_text(encoding="utf-8") == expected, (
        "API.md is out of date: run `.venv/bin/python docs/gen_api.py` and commit API.md"
    )


def test_api_md_documents_every_public_name() -> None:
    import cdk_claim_check

    text = _generator().render()
    missing = [name for name in cdk_claim_check.__all__ if f"## `{name}`" not in text]
    assert missing == []


def test_every_optional_prop_states_its_default() -> None:
    import inspect

    from cdk_claim_check import (
        ClaimCheckRetrievalPipe,
        ClaimCheckRuntimeLayer,
        ClaimCheckSplitPipe,
        ClaimCheckStore,
        PipeOptions,
    )

    generator = _generator()
    silent = []
    for cls, method in [
        (ClaimCheckStore, "__init__"),
        (ClaimCheckStore, "from_table"),
        (ClaimCheckSplitPipe, "__init__"),
        (ClaimCheckRetrievalPipe, "__init__"),
        (ClaimCheckRuntimeLayer, "__init__"),
    ]:
        function = getattr(cls, method)
        _, params = generator._split_params(generator._clean(function.__doc__))
        for name, parameter in inspect.signature(function).parameters.items():
            if parameter.default is not inspect.Parameter.empty and "Default" not in params.get(name, ""):
                silent.append(f"{cls.__name__}.{method}({name})")
    for name, _, doc in generator._typed_dict_fields(PipeOptions):
        if "Default" not in doc:
            silent.append(f"PipeOptions({name})")
    assert silent == []


def test_pipes_take_the_shared_props_and_document_only_their_own() -> None:
    import inspect

    from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, PipeOptions

    shared = set(PipeOptions.__annotations__)
    for cls in (ClaimCheckSplitPipe, ClaimCheckRetrievalPipe):
        parameters = inspect.signature(cls.__init__).parameters
        assert parameters["options"].kind is inspect.Parameter.VAR_KEYWORD
        assert shared.isdisjoint(parameters), f"{cls.__name__} repeats a shared prop in its signature"
        _, params = _generator()._split_params(inspect.getdoc(cls.__init__) or "")
        assert shared.isdisjoint(params), f"{cls.__name__} repeats the text of a shared prop"
