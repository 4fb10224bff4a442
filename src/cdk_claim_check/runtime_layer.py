"""``ClaimCheckRuntimeLayer``: the ``ClaimCheckClient`` for your own Lambda functions, as a layer."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from aws_cdk import RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ._asset import FUNCTION_RUNTIME, PACKAGE_DIR
from ._prop_types import checked_props

LAYER_PACKAGE_FILES = ("__init__.py", "py.typed")
"""The files of the package root the layer holds, besides ``runtime/``: the root ``__init__`` imports
only ``runtime._lazy``, so ``cdk_claim_check.runtime`` imports without aws-cdk-lib."""

_RUNTIME_DIR = "runtime"
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_STAGING_ROOT = Path(tempfile.gettempdir()) / "cdk-claim-check-runtime-layer"


def _layer_files() -> Iterator[tuple[str, Path]]:
    """Each file of the layer: its path inside the package and where it is now, in a stable order."""
    for name in LAYER_PACKAGE_FILES:
        yield name, PACKAGE_DIR / name
    runtime = PACKAGE_DIR / _RUNTIME_DIR
    for path in sorted(runtime.rglob("*")):
        relative = path.relative_to(PACKAGE_DIR)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix not in _SKIPPED_SUFFIXES:
            yield relative.as_posix(), path


def stage_runtime_layer() -> Path:
    """The layer's directory (``python/cdk_claim_check/...``, as Lambda layers for Python are laid out),
    staged once per content in the system temp directory and reused by later synths.

    The directory's name is the digest of the files, so a changed package gets a new directory and the
    asset hash (computed by the CDK from the content) is the same on every synth of the same package.

    :returns: the directory to pass to ``Code.from_asset``.
    """
    files = list(_layer_files())
    digest = hashlib.sha256()
    for relative, path in files:
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    target = _STAGING_ROOT / digest.hexdigest()
    if target.is_dir():
        return target
    _STAGING_ROOT.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".staging-", dir=_STAGING_ROOT))
    try:
        package = building / "python" / PACKAGE_DIR.name
        for relative, path in files:
            destination = package / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
        try:
            os.rename(building, target)  # atomic: a concurrent synth sees the whole directory or none
        except OSError:
            if not target.is_dir():  # not a concurrent synth having won the race
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


class ClaimCheckRuntimeLayer(Construct):
    """A Lambda layer holding ``cdk_claim_check.runtime`` (the ``ClaimCheckClient``) and nothing else,
    for issuing and redeeming claim checks in your own functions.

    The layer is built from the installed package with ``Code.from_asset`` (no Docker, no bundling)
    and is laid out as Lambda expects for Python (``python/cdk_claim_check/runtime/...``), so a
    function with it can ``from cdk_claim_check.runtime import ClaimCheckClient``. It is well under
    1 MB: it carries neither aws-cdk-lib (installing this library into a function package would, and
    exceed Lambda's size limit) nor boto3, which the Lambda Python runtime provides, nor Powertools,
    which the client does not use. Grant the function access with the store's grant methods.
    """

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        compatible_runtimes: Sequence[lambda_.Runtime] | None = None,
        compatible_architectures: Sequence[lambda_.Architecture] | None = None,
        description: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the layer version.

        :param scope: parent construct.
        :param id: construct id.
        :param compatible_runtimes: runtimes the layer is declared for. Default: the runtime of the
            library's own functions (Python 3.14). The code runs on Python 3.11 and later.
        :param compatible_architectures: architectures the layer is declared for. Default: ARM_64 and
            X86_64 (the layer is pure Python).
        :param description: the layer version's description. Default: names the library and what the
            layer holds.
        :param removal_policy: what happens to a layer version when it leaves the stack (replaced by a
            new one, or the stack deleted). Default: RemovalPolicy.RETAIN, as for any LayerVersion, so a
            function elsewhere that still uses an older version keeps working; DESTROY deletes it.
        """
        super().__init__(scope, id)
        self._layer_version = lambda_.LayerVersion(
            self,
            "LayerVersion",
            code=lambda_.Code.from_asset(str(stage_runtime_layer())),
            compatible_runtimes=list(compatible_runtimes or [FUNCTION_RUNTIME]),
            compatible_architectures=list(
                compatible_architectures or [lambda_.Architecture.ARM_64, lambda_.Architecture.X86_64]
            ),
            description=description
            or "cdk-claim-check runtime: ClaimCheckClient (from cdk_claim_check.runtime); uses the "
            "runtime's boto3",
            removal_policy=removal_policy,
        )

    @property
    def layer_version(self) -> lambda_.LayerVersion:
        """The layer version; pass it in a function's ``layers``."""
        return self._layer_version
