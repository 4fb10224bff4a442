"""ClaimCheckRuntimeLayer: the client for users' own functions, as a layer Lambda can import from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from _synth import logical_id, new_stack
from cdk_claim_check import ClaimCheckRuntimeLayer
from cdk_claim_check._asset import FUNCTION_RUNTIME

SRC = Path(__file__).resolve().parent.parent / "src"
_ASSET_METADATA = {"aws:cdk:enable-asset-metadata": True}


def _synth_layer(tmp_path: Path, **props: Any) -> tuple[dict[str, Any], Path]:
    """The layer's resource in the template and its asset directory in ``cdk.out``."""
    app = cdk.App(outdir=str(tmp_path / "cdk.out"), context=_ASSET_METADATA)
    stack = new_stack(app)
    layer = ClaimCheckRuntimeLayer(stack, "ClaimCheckRuntime", **props)
    resource = Template.from_stack(stack).to_json()["Resources"][logical_id(layer.layer_version)]
    app.synth()
    return resource, Path(app.outdir) / resource["Metadata"]["aws:asset:path"]


def _files(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def test_template_declares_the_runtime_and_both_architectures(tmp_path: Path) -> None:
    resource, _ = _synth_layer(tmp_path)
    assert resource["Type"] == "AWS::Lambda::LayerVersion"
    properties = resource["Properties"]
    assert properties["CompatibleRuntimes"] == [FUNCTION_RUNTIME.name]
    assert sorted(properties["CompatibleArchitectures"]) == ["arm64", "x86_64"]
    assert "ClaimCheckClient" in properties["Description"]
    assert resource["DeletionPolicy"] == "Retain"


def test_props_reach_the_layer_version(tmp_path: Path) -> None:
    resource, _ = _synth_layer(
        tmp_path,
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        description="mine",
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    assert resource["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    assert resource["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert resource["Properties"]["Description"] == "mine"
    assert resource["DeletionPolicy"] == "Delete"


def test_a_function_takes_the_layer() -> None:
    stack = new_stack()
    runtime = ClaimCheckRuntimeLayer(stack, "ClaimCheckRuntime")
    function = lambda_.Function(
        stack,
        "Fn",
        runtime=FUNCTION_RUNTIME,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
        layers=[runtime.layer_version],
    )
    properties = Template.from_stack(stack).to_json()["Resources"][logical_id(function)]["Properties"]
    assert properties["Layers"] == [{"Ref": logical_id(runtime.layer_version)}]


def test_asset_hash_is_the_same_on_every_synth(tmp_path: Path) -> None:
    first, _ = _synth_layer(tmp_path / "one")
    second, _ = _synth_layer(tmp_path / "two")
    assert first["Properties"]["Content"]["S3Key"] == second["Properties"]["Content"]["S3Key"]
    assert first["Metadata"]["aws:asset:path"] == second["Metadata"]["aws:asset:path"]


def test_layer_holds_only_the_runtime_and_is_small(tmp_path: Path) -> None:
    _, asset = _synth_layer(tmp_path)
    files = _files(asset)
    assert files, f"empty asset {asset}"
    assert all(f.startswith("python/cdk_claim_check/") for f in files), files
    package = [f.removeprefix("python/cdk_claim_check/") for f in files]
    assert {"__init__.py", "py.typed", "runtime/__init__.py", "runtime/client.py"} <= set(package)
    assert [f for f in package if f not in ("__init__.py", "py.typed") and not f.startswith("runtime/")] == []
    assert not any("__pycache__" in f or f.endswith((".pyc", ".pyo")) for f in files)
    runtime_sources = _files(SRC / "cdk_claim_check" / "runtime")
    assert sorted(f.removeprefix("runtime/") for f in package if f.startswith("runtime/")) == [
        f for f in runtime_sources if "__pycache__" not in f and not f.endswith((".pyc", ".pyo"))
    ]
    size = sum((asset / f).stat().st_size for f in files)
    assert size < 1_000_000, f"layer is {size} bytes unzipped"


_AS_LAMBDA = """
import importlib.abc, json, sys
from pathlib import Path

BLOCKED = ("aws_cdk", "constructs", "jsii", "aws_lambda_powertools")


class _NotInLambda(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED:
            raise ImportError(f"{fullname} is not in a Lambda function with only this layer")
        return None


sys.meta_path.insert(0, _NotInLambda())
src = Path(sys.argv[1]).resolve()
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != src]

from cdk_claim_check.runtime import ClaimCheckClient
import cdk_claim_check

request = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
client = ClaimCheckClient(table_name=request["table"], bucket_name=request["bucket"])
bodies = []
for body in request["bodies"]:
    check = client.put(body)
    event = {"detail-type": "ClaimCheck", "source": "claim-check", "detail": check}
    bodies.append(client.redeem(json.dumps(event)).body)
Path(sys.argv[3]).write_text(json.dumps({
    "bodies": bodies,
    "package": cdk_claim_check.__file__,
    "loaded": sorted({name.split(".")[0] for name in sys.modules}),
}), encoding="utf-8")
"""


def test_client_round_trips_in_a_fresh_interpreter_with_only_the_layer(
    tmp_path: Path, claim_check_resources: Any
) -> None:
    _, asset = _synth_layer(tmp_path)
    large = os.urandom(30_000).hex()  # incompressible and above the inline limit: goes to S3
    bodies = ['{"orderId": "o-1", "note": "caf\\u00e9 \u2615"}', large, ""]
    request, result = tmp_path / "request.json", tmp_path / "result.json"
    request.write_text(
        json.dumps(
            {
                "table": claim_check_resources.table_name,
                "bucket": claim_check_resources.bucket_name,
                "bodies": bodies,
            }
        ),
        encoding="utf-8",
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLAIM_CHECK_")},
        "PYTHONPATH": str(asset / "python"),
        "AWS_ENDPOINT_URL": claim_check_resources.endpoint_url,
    }
    completed = subprocess.run(
        [sys.executable, "-c", _AS_LAMBDA, str(SRC), str(request), str(result)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(result.read_text(encoding="utf-8"))
    assert outcome["bodies"] == bodies
    assert Path(outcome["package"]).resolve().is_relative_to((asset / "python").resolve())
    assert {"aws_cdk", "constructs", "jsii", "aws_lambda_powertools"}.isdisjoint(outcome["loaded"])
    objects = claim_check_resources.s3.list_objects_v2(Bucket=claim_check_resources.bucket_name)
    assert objects.get("KeyCount", 0) >= 1, "the large body should have gone to the bucket"


@pytest.mark.parametrize("name", ["local", "split_pipe.py", "store.py", "_asset.py", "retrieval_pipe.py"])
def test_layer_has_no_construct_or_local_modules(tmp_path: Path, name: str) -> None:
    _, asset = _synth_layer(tmp_path)
    assert not (asset / "python" / "cdk_claim_check" / name).exists()
