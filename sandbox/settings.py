"""Settings for running commands and tests in a sandbox."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SandboxSettings(BaseModel):
    """How commands and tests are isolated and limited."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "container", "bwrap", "local"] = Field(
        "auto", description="Which backend runs commands; auto tries container, then bwrap."
    )
    allow_local: bool = Field(
        False, description="Permit the unisolated local backend (never settable from a repo file)."
    )
    image: str | None = Field(None, description="Container image for this repository.")
    setup: list[str] = Field(
        default_factory=list,
        description="Shell commands run once with network to build a derived image.",
    )
    test_command: list[str] | None = Field(
        None, description="Override the detected test command (argv)."
    )
    timeout_s: float = Field(600.0, gt=0, description="Wall-clock limit for one run, in seconds.")
    memory_mb: int = Field(2048, ge=16, description="Memory limit (swap included), in MiB.")
    pids: int = Field(512, ge=8, description="Maximum number of processes.")
    cpus: float = Field(2.0, gt=0, description="CPU limit, in cores.")
    output_limit_bytes: int = Field(
        2_000_000, ge=1024, description="Output kept per run; beyond it the output is truncated."
    )
    network: bool = Field(
        False, description="Allow network during test runs (never settable from a repo file)."
    )
    keep_derived_images: int = Field(
        3,
        ge=0,
        description="Derived images (built by `setup`) kept per repository, newest first; "
        "older ones are removed after each build unless a container uses them (0: never).",
    )
    reuse_container: bool = Field(
        True,
        description="Keep one hardened container per session and exec each run into it "
        "(fresh workspace, processes killed and tmpfs wiped after every run).",
    )
    docker_host: str | None = Field(
        None, description="Docker API endpoint; default is DOCKER_HOST or the usual sockets."
    )
