"""Hatch metadata hook: the README as the package index shows it.

The repository's README.md keeps relative links (they work on GitHub and in a clone). The package
index shows the README outside the repository, where a relative link or image is broken and an
in-page anchor does not exist. At build time this hook makes the package's long description from
README.md:

- the parts between ``<!-- repo-only:start -->`` and ``<!-- repo-only:end -->`` (how to work in a
  clone) are left out;
- every relative link becomes a link into the repository (``<repository>/blob/<ref>/<path>``)
  and every relative image a raw file URL (Markdown links and images, reference definitions,
  HTML ``img``/``a``); in-page anchors (``#security``) stay, as the index gives headings ids too;
- ``<ref>`` is the release tag ``v<version>`` (what the release workflow tags), or ``main`` for
  the unreleased ``0.0.0``.

The repository URL is ``project.urls.Repository`` (from REPOSITORY_URL in .projenrc.py), so it is
written in one place. Code blocks and inline code are never rewritten.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from hatchling.metadata.plugin.interface import MetadataHookInterface

REPO_ONLY_START = "<!-- repo-only:start -->"
REPO_ONLY_END = "<!-- repo-only:end -->"
UNRELEASED_VERSION = "0.0.0"

_REPO_ONLY = re.compile(re.escape(REPO_ONLY_START) + r".*?" + re.escape(REPO_ONLY_END) + r"\n?", re.DOTALL)
# Inline code first, so a link-like text inside backticks is kept as it is.
_INLINE = re.compile(
    r"(`+)(?:.*?)\1"  # inline code
    r"|(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"  # [label] or ![alt], one level of nested brackets
    r"\(\s*<?([^)\s>]+)>?(\s+\"[^\"]*\")?\s*\)"  # (target "title")
    r"|(<(img|a)\b[^>]*?\b(?:src|href)=\")([^\"]+)\""  # HTML <img src="..."> or <a href="...">
    , re.IGNORECASE,
)
_REFERENCE = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*)<?(\S+?)>?(\s.*)?$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class ReadmeError(ValueError):
    """README.md or the repository URL cannot make a package-index README."""


def _github_path(repository_url: str) -> str:
    parsed = urlparse(repository_url)
    path = parsed.path.strip("/")
    if parsed.scheme != "https" or parsed.netloc != "github.com" or path.count("/") != 1:
        raise ReadmeError(
            f"project.urls.Repository must be https://github.com/<owner>/<name>, got {repository_url!r}"
        )
    return path


def _absolute(target: str, *, image: bool, repository_url: str, ref: str) -> str:
    if _SCHEME.match(target) or target.startswith(("//", "#")):
        return target
    path = target
    while path.startswith("./"):
        path = path[2:]
    if path.startswith(("/", "../")):
        raise ReadmeError(f"README.md: link {target!r} leaves the repository root; use a path inside it")
    if image:
        return f"https://raw.githubusercontent.com/{_github_path(repository_url)}/{ref}/{path}"
    return f"{repository_url}/blob/{ref}/{path}"


def readme_for_index(text: str, repository_url: str, ref: str) -> str:
    """Return README text for the package index: repo-only parts dropped, links and images absolute.

    :param text: the repository's README.md.
    :param repository_url: ``https://github.com/<owner>/<name>``.
    :param ref: the git ref the links point at (a release tag, or ``main``).
    :raises ReadmeError: for unbalanced repo-only markers, a link out of the repository or a
        repository URL that is not a GitHub repository.
    """
    repository_url = repository_url.rstrip("/")
    _github_path(repository_url)
    text = _REPO_ONLY.sub("", text)
    if REPO_ONLY_START in text or REPO_ONLY_END in text:
        raise ReadmeError(f"README.md: a {REPO_ONLY_START} without its {REPO_ONLY_END}, or the reverse")

    def inline(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(0)
        if match.group(6):
            image = match.group(7).lower() == "img"
            url = _absolute(match.group(8), image=image, repository_url=repository_url, ref=ref)
            return f'{match.group(6)}{url}"'
        bang, label, target, title = match.group(2), match.group(3), match.group(4), match.group(5) or ""
        label = _INLINE.sub(inline, label)  # an image inside a link's text
        url = _absolute(target, image=bool(bang), repository_url=repository_url, ref=ref)
        return f"{bang}[{label}]({url}{title})"

    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        reference = _REFERENCE.match(line.rstrip("\n"))
        if reference:
            url = _absolute(reference.group(2), image=False, repository_url=repository_url, ref=ref)
            newline = "\n" if line.endswith("\n") else ""
            out.append(f"{reference.group(1)}{url}{reference.group(3) or ''}{newline}")
            continue
        out.append(_INLINE.sub(inline, line))
    return "".join(out)


def release_ref(version: str) -> str:
    """The git ref a build of ``version`` links to: its release tag, or ``main`` when unreleased.

    :param version: the package version being built.
    """
    return "main" if version == UNRELEASED_VERSION else f"v{version}"


class CustomMetadataHook(MetadataHookInterface):
    """Sets ``readme`` (listed in ``project.dynamic``) from README.md for the package index."""

    def update(self, metadata: dict[str, Any]) -> None:
        """Fill in the long description.

        :param metadata: the ``[project]`` table being built; ``version`` is already resolved.
        """
        repository_url = (metadata.get("urls") or {}).get("Repository")
        if not repository_url:
            raise ReadmeError("pyproject.toml: project.urls.Repository is needed to make the package README")
        text = (Path(self.root) / "README.md").read_text(encoding="utf-8")
        metadata["readme"] = {
            "content-type": "text/markdown",
            "text": readme_for_index(text, repository_url, release_ref(str(metadata["version"]))),
        }
