"""Settings for models, budgets, the agent loop and git behaviour."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ModelSettings(BaseModel):
    """Which model serves each role; any litellm model name, or `replay:PATH`."""

    model_config = ConfigDict(extra="forbid")

    main: str | None = Field(None, description="Model that plans and edits.")
    review: str | None = Field(None, description="Model that reviews the diff; default: main.")
    weak: str | None = Field(None, description="Model for commit messages and summaries.")
    api_base: str | None = Field(None, description="OpenAI-compatible endpoint, if any.")
    timeout_s: float = Field(120.0, description="Timeout of one model request, in seconds.")
    retries: int = Field(4, description="Retries on rate limits, timeouts and 5xx.")
    retry_base_s: float = Field(1.0, description="First backoff delay; doubles per retry.")
    context_tokens: int = Field(
        100_000, description="Prompt size at which older turns are summarised."
    )


class BudgetSettings(BaseModel):
    """Limits that end a run with `budget_exceeded`."""

    model_config = ConfigDict(extra="forbid")

    max_turns: int = Field(30, description="Model turns per run.")
    max_tokens: int | None = Field(None, description="Prompt + completion tokens per run.")
    max_cost_usd: float | None = Field(None, description="Dollars per run.")
    max_wall_s: float | None = Field(1800.0, description="Wall time per run, in seconds.")


class AgentSettings(BaseModel):
    """How the pair-programming loop behaves."""

    model_config = ConfigDict(extra="forbid")

    plan: bool = Field(False, description="Run the plan step before editing.")
    self_review: bool = Field(True, description="Run the review model over the diff.")
    max_revisions: int = Field(2, description="Times a needs_revision review sends work back.")
    max_tool_output_chars: int = Field(
        8000, description="Tool output longer than this is compressed before the model sees it."
    )
    map_tokens: int = Field(1024, description="Token budget of the repo map in the prompt.")
    sessions_db: str | None = Field(
        None, description="SQLite file for sessions; default: the user data dir."
    )
    deny_globs: list[str] = Field(
        default_factory=lambda: [".env*", "*.pem", "*.key", "id_*", "*.p12", ".netrc", ".npmrc"],
        description="Files never read or sent to a model.",
    )


class GitSettings(BaseModel):
    """What our git calls may run."""

    model_config = ConfigDict(extra="forbid")

    run_hooks: bool = Field(False, description="Run the repository's git hooks on commit.")
    allow_fsmonitor: bool = Field(False, description="Let git run core.fsmonitor.")
    snapshots_kept: int = Field(
        200, ge=1, description="Safety snapshots kept under refs/hunkwise/snapshots/."
    )
