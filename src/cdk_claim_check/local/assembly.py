"""Synthesizing a CDK app and reading its cloud assembly (``cdk.out``): stacks, templates, assets."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What the CDK CLI puts in the context of every synth; without it, assets carry no path metadata.
_CLI_CONTEXT = {"aws:cdk:enable-asset-metadata": True, "aws:cdk:enable-path-metadata": True}


class AssemblyError(RuntimeError):
    """The app did not synthesize, or the assembly lacks what the local run needs."""


@dataclass(frozen=True)
class StackArtifact:
    """One synthesized stack: its name, template and the assembly directory it lives in."""

    name: str
    template: dict[str, Any]
    assembly_dir: Path

    def asset_dir(self, logical_id: str) -> Path | None:
        """The directory of a Lambda function's code asset, or ``None`` if its code is not an asset.

        Read from the resource's ``aws:asset:path`` metadata when the app wrote it, otherwise from
        the S3 key of its code (``<hash>.zip``) looked up in the stack's asset manifest.
        """
        resource = self.template["Resources"][logical_id]
        asset_path = resource.get("Metadata", {}).get("aws:asset:path")
        if isinstance(asset_path, str):
            return (self.assembly_dir / asset_path).resolve()
        key = resource.get("Properties", {}).get("Code", {}).get("S3Key")
        if not isinstance(key, str):
            return None
        asset_hash = key.rsplit("/", 1)[-1].split(".", 1)[0]
        for manifest_file in self.assembly_dir.glob("*.assets.json"):
            files = json.loads(manifest_file.read_text()).get("files", {})
            if asset_hash in files:
                return (self.assembly_dir / str(files[asset_hash]["source"]["path"])).resolve()
        return None


def cdk_json_app(directory: Path) -> tuple[str, dict[str, Any]] | None:
    """The ``app`` command and ``context`` of ``cdk.json`` in ``directory``, if there is one."""
    cdk_json = directory / "cdk.json"
    if not cdk_json.is_file():
        return None
    settings = json.loads(cdk_json.read_text())
    if "app" not in settings:
        return None
    return str(settings["app"]), dict(settings.get("context", {}))


def synthesize(app_command: str, out_dir: Path, *, cwd: Path, context: dict[str, Any] | None = None) -> Path:
    """Run ``app_command`` as the CDK CLI does (``CDK_OUTDIR``, ``CDK_CONTEXT_JSON``); return ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "CDK_OUTDIR": str(out_dir),
        "CDK_CONTEXT_JSON": json.dumps({**(context or {}), **_CLI_CONTEXT}),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": os.environ.get(
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20"
        ),
    }
    result = subprocess.run(
        shlex.split(app_command), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssemblyError(
            f"`{app_command}` failed with exit code {result.returncode}:\n{result.stderr[-4000:]}"
        )
    if not (out_dir / "manifest.json").is_file():
        raise AssemblyError(
            f"`{app_command}` wrote no cloud assembly to {out_dir} (does it call app.synth()?)"
        )
    return out_dir


def read_stacks(assembly_dir: Path) -> list[StackArtifact]:
    """Every stack of the assembly, nested stages included, in manifest order."""
    manifest_file = assembly_dir / "manifest.json"
    if not manifest_file.is_file():
        raise AssemblyError(f"{assembly_dir} is not a cloud assembly: no manifest.json")
    manifest = json.loads(manifest_file.read_text())
    stacks: list[StackArtifact] = []
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact.get("type") == "aws:cloudformation:stack":
            template = json.loads((assembly_dir / properties["templateFile"]).read_text())
            name = properties.get("stackName", artifact_id)
            stacks.append(StackArtifact(name=name, template=template, assembly_dir=assembly_dir))
        elif artifact.get("type") == "cdk:cloud-assembly":
            stacks.extend(read_stacks(assembly_dir / properties["directoryName"]))
    return stacks


def select_stack(stacks: list[StackArtifact], name: str | None) -> StackArtifact:
    """The stack called ``name``, or the only stack with pipes when no name is given."""
    if name is not None:
        for stack in stacks:
            if name in (stack.name, stack.name.split("/")[-1]):
                return stack
        raise AssemblyError(f"no stack named {name!r}; the assembly has {[s.name for s in stacks]}")
    with_pipes = [
        s
        for s in stacks
        if any(r.get("Type") == "AWS::Pipes::Pipe" for r in s.template.get("Resources", {}).values())
    ]
    if len(with_pipes) == 1:
        return with_pipes[0]
    if not with_pipes:
        raise AssemblyError(f"no stack of the assembly has an AWS::Pipes::Pipe: {[s.name for s in stacks]}")
    raise AssemblyError(f"several stacks have pipes, pick one with --stack: {[s.name for s in with_pipes]}")
