"""Fixtures for the release checks: the package built once (sdist, and the wheel built from it)."""

from __future__ import annotations

import subprocess

import pytest
from release_helpers import ROOT, BuiltDist, uv


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory: pytest.TempPathFactory) -> BuiltDist:
    out_dir = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [uv(), "build", "--quiet", "--out-dir", str(out_dir), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = out_dir.glob("cdk_claim_check-*.tar.gz")
    (wheel,) = out_dir.glob("cdk_claim_check-*.whl")
    return BuiltDist(sdist=sdist, wheel=wheel)
