"""The CDK apps whose synth is timed, each run in a fresh interpreter by synth_time.py.

``python -m benchmarks.synth_apps KIND OUTDIR [TEMPLATE]`` synthesizes one app into OUTDIR and
prints the seconds spent after ``import aws_cdk`` (building the constructs and synthesizing):

- ``example``: examples/app.py, the whole pattern built with the library's constructs;
- ``constructs``: the three constructs alone in one stack (used while there is no example app);
- ``l1_imports``: the same plain L1 stack after importing every ``aws_cdk`` service module the other
  app imported (listed in TEMPLATE): the import cost typed L1 classes (``CfnFunction``, ...) would add;
- ``l1``: the plain L1 stack: every resource of TEMPLATE (the other app's synthesized template)
  declared one by one as ``CfnResource`` with the same type, properties and options, plus the
  same file assets (the Lambda code) staged with ``aws_s3_assets.Asset``, since a hand-written L1
  stack has to ship the code too. It has the same resources by construction, and measures what
  synth costs with no L2/L3 logic at all.
"""

from __future__ import annotations

import importlib
import json
import runpy
import sys
import time
from pathlib import Path
from typing import Any

EXAMPLE_APP = Path(__file__).resolve().parents[1] / "examples" / "app.py"
# Where synth_time.py lists the other app's file assets inside TEMPLATE.
ASSETS_KEY = "x-benchmark-file-assets"
# Where synth_time.py lists the ``aws_cdk`` service modules the other app imported.
MODULES_KEY = "x-benchmark-cdk-modules"
# Keys the stack synthesizer writes by itself into every template.
_SYNTHESIZER_OWNED = {"BootstrapVersion", "CheckBootstrapVersion"}


def _l1_app(outdir: str, template_path: str, *, same_imports: bool = False) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_s3_assets as s3_assets

    template: dict[str, Any] = json.loads(Path(template_path).read_text())
    if same_imports:  # what typed L1 classes (CfnFunction, ...) would make the app import
        for module in template.get(MODULES_KEY, []):
            importlib.import_module(module)
    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "PlainL1Stack", env=cdk.Environment(account="123456789012", region="us-east-1"))
    if template.get("Conditions") or template.get("Mappings"):
        raise NotImplementedError("templates with Conditions or Mappings are not mirrored")
    for index, path in enumerate(template.get(ASSETS_KEY, [])):
        s3_assets.Asset(stack, f"CodeAsset{index}", path=path)
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::CDK::Metadata":
            continue
        cfn = cdk.CfnResource(stack, logical_id, type=resource["Type"], properties=resource.get("Properties"))
        cfn.override_logical_id(logical_id)
        for option in ("DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Condition", "UpdatePolicy"):
            if option in resource:
                cfn.add_override(option, resource[option])
    for name, output in template.get("Outputs", {}).items():
        if name not in _SYNTHESIZER_OWNED:
            cdk.CfnOutput(stack, name, value=cdk.Token.as_string(output["Value"])).override_logical_id(name)
    app.synth()


def _constructs_app(outdir: str) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_events as events
    from aws_cdk import aws_sqs as sqs
    from aws_cdk import aws_stepfunctions as sfn

    from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore

    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "ConstructsStack", env=cdk.Environment(account="123456789012", region="us-east-1"))
    store = ClaimCheckStore(stack, "Store")
    bus = events.EventBus(stack, "Bus")
    workflow = sfn.StateMachine(
        stack, "Workflow", definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "Process"))
    )
    ClaimCheckSplitPipe(stack, "Split", source=sqs.Queue(stack, "Inbox"), store=store, target=bus)
    ClaimCheckRetrievalPipe(
        stack, "Retrieve", source=sqs.Queue(stack, "Claims"), store=store, target=workflow
    )
    app.synth()


def main(argv: list[str]) -> None:
    kind, outdir = argv[0], argv[1]
    import aws_cdk  # noqa: F401  (imported before the clock starts: both sides pay it alike)

    started = time.perf_counter()
    if kind == "example":  # it writes where CDK_OUTDIR (set by synth_time.py) says
        sys.argv = [str(EXAMPLE_APP)]
        runpy.run_path(str(EXAMPLE_APP), run_name="__main__")
    elif kind == "constructs":
        _constructs_app(outdir)
    elif kind == "l1":
        _l1_app(outdir, argv[2])
    elif kind == "l1_imports":
        _l1_app(outdir, argv[2], same_imports=True)
    else:
        raise SystemExit(f"unknown app kind {kind!r}")
    modules = sorted(name for name in sys.modules if name.startswith("aws_cdk.aws_") and name.count(".") == 1)
    print(json.dumps({"app_seconds": time.perf_counter() - started, "modules": modules}))


if __name__ == "__main__":
    main(sys.argv[1:])
