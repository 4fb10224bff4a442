"""The README the package index shows: repo-only parts dropped, every link and image absolute."""

from __future__ import annotations

import re
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path
from types import ModuleType

import pytest
import readme_renderer.markdown
from release_helpers import ROOT, BuiltDist

from _scripts import load_script

REPO = "https://github.com/owner/name"


def _hook() -> ModuleType:
    return load_script(Path("hatch_build.py"))


hatch_build = _hook()


def _rewrite(text: str, ref: str = "v1.2.3") -> str:
    result: str = hatch_build.readme_for_index(text, REPO, ref)
    return result


def test_relative_links_point_into_the_repository_at_the_release_tag() -> None:
    assert _rewrite("see [API.md](API.md) and [docs](./docs/contract.md#wire)") == (
        f"see [API.md]({REPO}/blob/v1.2.3/API.md) and [docs]({REPO}/blob/v1.2.3/docs/contract.md#wire)"
    )


def test_images_become_raw_file_urls() -> None:
    assert _rewrite("![cost](docs/benchmarks.png)") == (
        "![cost](https://raw.githubusercontent.com/owner/name/v1.2.3/docs/benchmarks.png)"
    )


def test_an_image_inside_a_link_is_rewritten_too() -> None:
    assert _rewrite("[![flow](docs/flow.png)](docs/flow.png)") == (
        "[![flow](https://raw.githubusercontent.com/owner/name/v1.2.3/docs/flow.png)]"
        f"({REPO}/blob/v1.2.3/docs/flow.png)"
    )


def test_html_images_and_links_are_rewritten_too() -> None:
    assert _rewrite('<img src="docs/flow.png" width="600"> <a href="API.md">API</a>') == (
        '<img src="https://raw.githubusercontent.com/owner/name/v1.2.3/docs/flow.png" width="600"> '
        f'<a href="{REPO}/blob/v1.2.3/API.md">API</a>'
    )


def test_in_page_anchors_stay_in_the_page() -> None:
    assert _rewrite("[Security](#security)") == "[Security](#security)"


def test_absolute_links_titles_and_reference_definitions() -> None:
    assert _rewrite("[x](https://example.com/a.md)") == "[x](https://example.com/a.md)"
    assert _rewrite('[x](LICENSE "the licence")') == f'[x]({REPO}/blob/v1.2.3/LICENSE "the licence")'
    assert _rewrite("[api]: API.md\n") == f"[api]: {REPO}/blob/v1.2.3/API.md\n"


def test_code_blocks_and_inline_code_are_left_alone() -> None:
    text = "```python\nx = items[0](call)\n[a](b.md)\n```\nuse `[a](b.md)` literally\n"
    assert _rewrite(text) == text


def test_repo_only_sections_are_dropped_and_unbalanced_markers_refused() -> None:
    text = "keep\n<!-- repo-only:start -->\nclone me\n<!-- repo-only:end -->\nalso kept\n"
    assert _rewrite(text) == "keep\nalso kept\n"
    with pytest.raises(hatch_build.ReadmeError, match="repo-only"):
        _rewrite("keep\n<!-- repo-only:start -->\nnever closed\n")


def test_links_out_of_the_repository_and_foreign_hosts_are_refused() -> None:
    with pytest.raises(hatch_build.ReadmeError, match="leaves the repository"):
        _rewrite("[x](../other/README.md)")
    with pytest.raises(hatch_build.ReadmeError, match=r"github\.com"):
        hatch_build.readme_for_index("text", "https://gitlab.com/owner/name", "main")
    with pytest.raises(hatch_build.ReadmeError, match=r"github\.com"):
        hatch_build.readme_for_index("text", "https://github.com/owner", "main")


def test_the_hook_refuses_a_project_without_a_repository_url(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("[API](API.md)\n")
    hook = hatch_build.CustomMetadataHook(str(tmp_path), {})
    with pytest.raises(hatch_build.ReadmeError, match=r"project\.urls\.Repository"):
        hook.update({"version": "0.0.0", "urls": {"Homepage": "https://example.com"}})
    metadata: dict[str, object] = {"version": "0.2.0", "urls": {"Repository": REPO}}
    hook.update(metadata)
    expected = {"content-type": "text/markdown", "text": f"[API]({REPO}/blob/v0.2.0/API.md)\n"}
    assert metadata["readme"] == expected


def test_unreleased_builds_link_to_main_and_releases_to_their_tag() -> None:
    assert hatch_build.release_ref("0.0.0") == "main"
    assert hatch_build.release_ref("0.3.1") == "v0.3.1"


def _repository_path() -> str:
    repository: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    return repository.removeprefix("https://github.com/")


@pytest.fixture(scope="module")
def index_readme(built_dist: BuiltDist) -> str:
    with zipfile.ZipFile(built_dist.wheel) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        message = Parser().parsestr(wheel.read(name).decode())
    assert message["Description-Content-Type"] == "text/markdown"
    payload = message.get_payload()
    assert isinstance(payload, str)
    return payload


def test_every_link_and_image_of_the_built_readme_is_absolute(index_readme: str) -> None:
    html = readme_renderer.markdown.render(index_readme, variant="GFM")
    assert html is not None
    targets = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert len(targets) >= 8
    # In-page links go to a heading the page has; everything else is absolute.
    ids = set(re.findall(r'id="([^"]+)"', html))
    anchors = [t for t in targets if t.startswith("#")]
    assert anchors and [a for a in anchors if a[1:] not in ids] == []
    assert [t for t in targets if not t.startswith(("https://", "#"))] == []
    for path in ("API.md", "examples/README.md", "docs/benchmarks.md", "docs/contract.md"):
        assert f"/blob/main/{path}" in index_readme, path
    for image in ("docs/benchmarks.png", "docs/flow.png"):
        assert f"https://raw.githubusercontent.com/{_repository_path()}/main/{image}" in index_readme


def test_the_built_readme_leaves_out_the_clone_only_sections(index_readme: str) -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme.count(hatch_build.REPO_ONLY_START) >= 1
    assert "bash scripts/run-example" in readme and "bash scripts/run-example" not in index_readme
    assert "## Contributing" in index_readme  # says where to read how, with a link
