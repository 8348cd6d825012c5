"""Settings for building and rendering the repository map."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class RepoMapSettings(BaseModel):
    """How the repo map is built, cached and fitted to a budget."""

    model_config = ConfigDict(extra="forbid")

    max_tokens: int = Field(1024, description="Token budget of the rendered map.")
    cache_dir: Path | None = Field(
        None, description="Where the parse cache lives; default under the repository's .git/."
    )
    max_file_bytes: int = Field(1_000_000, description="Files larger than this are skipped.")
    workers: int | None = Field(None, description="Parallel parse workers; default: CPU count.")
