"""The runtime contract is the one place for every limit and name: nothing in src/, benchmarks/ or
examples/ writes one of its values again, and it imports nothing but the standard library."""

from __future__ import annotations

import ast
import operator
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from cdk_claim_check.runtime import contract

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "src" / "cdk_claim_check" / "runtime" / "contract.py"
SCANNED = [ROOT / "src", ROOT / "benchmarks", ROOT / "examples"]

# Values that equal a contract value by coincidence, with what they mean instead.
COINCIDENCES = {
    ("src/cdk_claim_check/runtime/codec.py", 8192): "the sample the entropy check compresses",
    ("examples/sample_data_creator/orders.py", 10_000): "the range of a made-up lot number",
    ("src/cdk_claim_check/local/failure.py", 3600): "an expiry an hour in the past",
    ("benchmarks/designs.py", 3600): "seconds per hour, turning days into seconds",
}

_OPERATORS = {ast.Mult: operator.mul, ast.Add: operator.add, ast.Pow: operator.pow}


def _contract_numbers() -> set[int]:
    """The contract's numeric values large enough not to recur by chance (limits, bounds, defaults)."""
    return {
        value
        for name, value in vars(contract).items()
        if name.isupper() and isinstance(value, int) and not isinstance(value, bool) and value >= 1000
    }


def _constant_int(node: ast.AST) -> int | None:
    """The value of an integer literal or of an arithmetic expression of literals (``6 * 1024 * 1024``)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _constant_int(node.left), _constant_int(node.right)
        if left is not None and right is not None:
            return int(_OPERATORS[type(node.op)](left, right))
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            ids.add(id(body[0].value))
    return ids


def _python_files() -> Iterator[Path]:
    for root in SCANNED:
        for path in sorted(root.rglob("*.py")):
            if path != CONTRACT:
                yield path


def _outermost_numbers(tree: ast.AST) -> Iterator[tuple[int, int]]:
    """(line, value) of each literal number or literal expression, outermost expression only."""
    seen: set[int] = set()
    for node in ast.walk(tree):
        if id(node) in seen:
            continue
        value = _constant_int(node)
        if value is not None:
            seen.update(id(child) for child in ast.walk(node))
            yield node.lineno, value


def test_no_contract_value_is_written_again() -> None:
    numbers = _contract_numbers()
    repeated = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        for line, value in _outermost_numbers(ast.parse(path.read_text(encoding="utf-8"))):
            if value in numbers and (relative, value) not in COINCIDENCES:
                repeated.append(f"{relative}:{line}: {value}")
    assert repeated == [], "import these from cdk_claim_check.runtime.contract instead"


def test_no_environment_variable_or_table_attribute_name_is_written_again() -> None:
    names = {value for key, value in vars(contract).items() if key.startswith("ENV_")}
    names.add(contract.TTL_ATTRIBUTE)  # the partition key "id" is too common a word to scan for
    repeated = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in names and id(node) not in docstrings:
                repeated.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}: {node.value!r}")
    assert repeated == [], "import these from cdk_claim_check.runtime.contract instead"


def test_the_scan_finds_a_limit_written_as_arithmetic() -> None:
    # The rule above must catch the spellings that were in the code before the contract existed.
    tree = ast.parse("LIMIT = 6 * 1024 * 1024\nTTL = 365 * 24 * 3600\nOTHER = 6_291_456\n")
    found = {value for _, value in _outermost_numbers(tree)}
    assert {contract.LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES, contract.MAX_TTL_SECONDS} <= found & _contract_numbers()


def test_contract_imports_only_the_standard_library() -> None:
    imported = set()
    for node in ast.walk(ast.parse(CONTRACT.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_importing_the_contract_loads_neither_boto3_nor_aws_cdk() -> None:
    probe = (
        "import sys, cdk_claim_check.runtime.contract\n"
        "heavy = ('boto3', 'botocore', 'aws_cdk', 'aws_lambda_powertools')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
