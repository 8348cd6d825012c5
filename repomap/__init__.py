"""A tree-sitter repository map: ranked, token-budgeted, cached."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from repomap.protocol import RepoMap
    from repomap.settings import RepoMapSettings


def open_repo_map(repo: Path, settings: RepoMapSettings, model: str | None = None) -> RepoMap:
    """The tree-sitter repo map of `repo`; call `build(progress)` then `render(request)`."""
    from repomap.service import TreeSitterRepoMap

    return TreeSitterRepoMap(Path(repo), settings, model)
