"""Argument models of every tool; their JSON schemas are what the model is shown."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.contracts import Finding, TaskSpec


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RepoMapArgs(_Args):
    """Show the most relevant files and definitions of the repository for a query."""

    query: str = Field(description="What you are looking for, in words or identifiers.")


class ReadFileArgs(_Args):
    """Read a text file (with your pending edits applied), optionally a 1-based line range."""

    path: str = Field(description="Repository-relative path.")
    start: int | None = Field(None, ge=1, description="First line to show (1-based).")
    end: int | None = Field(None, ge=1, description="Last line to show (inclusive).")


class SearchArgs(_Args):
    """Search file contents with a regular expression (git grep), pending edits included."""

    pattern: str = Field(min_length=1, description="Extended regular expression.")
    glob: str | None = Field(None, description="Only files matching this glob, e.g. '*.py'.")


class ListFilesArgs(_Args):
    """List repository files, optionally only those matching a glob."""

    glob: str | None = Field(None, description="e.g. 'src/**/*.py'; default: all files.")


class EditFileArgs(_Args):
    """Replace one exact, unique occurrence of `old` with `new` in a file (pending change)."""

    path: str = Field(description="Repository-relative path.")
    old: str = Field(min_length=1, description="Exact text to replace; must occur once.")
    new: str = Field(description="Replacement text.")


class WriteFileArgs(_Args):
    """Create or overwrite a file with `content` (pending change)."""

    path: str = Field(description="Repository-relative path.")
    content: str = Field(description="The whole new file content.")


class DeleteFileArgs(_Args):
    """Delete a file (pending change)."""

    path: str = Field(description="Repository-relative path.")


class RunTestsArgs(_Args):
    """Run the project's tests in the sandbox on the working tree plus your pending changes."""

    selection: list[str] | None = Field(
        None, description="Test ids or paths to run (e.g. 'tests/test_x.py::test_y'); default all."
    )


class FinishArgs(_Args):
    """Stop working and hand the pending changes to the human for review."""

    summary: str = Field(description="What you changed and why, and the test evidence.")


class SubmitReviewArgs(_Args):
    """Submit your review of the pending diff."""

    status: Literal["approved", "needs_revision"]
    findings: list[Finding] = Field(default_factory=list)


class SubmitPlanArgs(TaskSpec):
    """Submit the plan: summary, acceptance criteria, files likely affected, risk."""

    model_config = ConfigDict(extra="forbid")


def tool_schema(name: str, args: type[BaseModel]) -> dict[str, Any]:
    """The OpenAI function-tool schema for one argument model."""
    parameters = args.model_json_schema()
    parameters.pop("title", None)
    parameters.pop("description", None)
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": (args.__doc__ or name).strip(),
            "parameters": parameters,
        },
    }


WORK_TOOLS: dict[str, type[BaseModel]] = {
    "repo_map": RepoMapArgs,
    "read_file": ReadFileArgs,
    "search": SearchArgs,
    "list_files": ListFilesArgs,
    "edit_file": EditFileArgs,
    "write_file": WriteFileArgs,
    "delete_file": DeleteFileArgs,
    "run_tests": RunTestsArgs,
    "finish": FinishArgs,
}

READ_TOOLS: tuple[str, ...] = ("repo_map", "read_file", "search", "list_files")
REVIEW_TOOLS: dict[str, type[BaseModel]] = {
    **{name: WORK_TOOLS[name] for name in READ_TOOLS},
    "submit_review": SubmitReviewArgs,
}
PLAN_TOOLS: dict[str, type[BaseModel]] = {
    **{name: WORK_TOOLS[name] for name in READ_TOOLS},
    "submit_plan": SubmitPlanArgs,
}
