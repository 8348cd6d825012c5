"""Dispatches model tool calls: parse, validate, run, and always answer with a tool result."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from agent.changes.errors import PathError
from agent.tools import args as A
from agent.tools.paths import PolicyError, ToolInputError
from agent.tools.workspace import Workspace
from hunkwise.errors import HunkwiseError

if TYPE_CHECKING:
    from agent.models.client import ToolCall
    from repomap.protocol import RepoMap

# Runs the tests for a selection and returns the compact text the model should see.
TestRunner = Callable[[list[str] | None], str]
# Tools that end a phase: their validated arguments are handed back to the loop.
TERMINAL_TOOLS = frozenset({"finish", "submit_review", "submit_plan"})
MUTATING_TOOLS = frozenset({"edit_file", "write_file", "delete_file"})


class ToolResult(BaseModel):
    """The answer to one tool call."""

    call_id: str
    name: str
    ok: bool
    output: str
    summary: str
    arguments: dict[str, Any] | str = {}
    value: Any = None
    changed: bool = False
    policy: bool = False

    @property
    def terminal(self) -> bool:
        """True for finish / submit_review / submit_plan with valid arguments."""
        return self.ok and self.name in TERMINAL_TOOLS


class ToolBox:
    """The tools of one phase (work, review or plan) over one workspace."""

    def __init__(self, workspace: Workspace, tools: Mapping[str, type[BaseModel]],
                 repo_map: RepoMap | None = None, test_runner: TestRunner | None = None,
                 map_tokens: int = 1024) -> None:
        self.workspace = workspace
        self.tools = dict(tools)
        self.repo_map = repo_map
        self.test_runner = test_runner
        self.map_tokens = map_tokens
        self.chat_files: list[str] = []

    def schemas(self) -> list[dict[str, Any]]:
        """Tool schemas for the model, in a stable order."""
        return [A.tool_schema(name, model) for name, model in self.tools.items()]

    def call(self, call: ToolCall) -> ToolResult:
        """Run one call; every failure becomes a result the model can read, never a crash."""
        def fail(message: str, arguments: dict[str, Any] | str,
                 policy: bool = False) -> ToolResult:
            return ToolResult(call_id=call.id, name=call.name, ok=False, arguments=arguments,
                              output=f"error: {message}", summary=message.splitlines()[0][:160],
                              policy=policy)

        if call.name not in self.tools:
            return fail(
                f"there is no tool named {call.name!r}; available tools: "
                f"{', '.join(self.tools)}. There is no shell, network or git access.",
                call.arguments, policy=True,
            )
        try:
            raw = json.loads(call.arguments or "{}")
        except json.JSONDecodeError as exc:
            return fail(f"arguments are not valid JSON ({exc}); send one JSON object matching "
                        f"the {call.name} schema", call.arguments)
        if not isinstance(raw, dict):
            return fail("arguments must be a JSON object", call.arguments)
        try:
            parsed = self.tools[call.name].model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()
            )
            return fail(f"invalid arguments for {call.name}: {problems}", raw)
        try:
            output, summary, changed = self._run(call.name, parsed)
        except PolicyError as exc:
            return fail(str(exc), raw, policy=True)
        except PathError as exc:
            return fail(str(exc), raw, policy=True)
        except (ToolInputError, HunkwiseError) as exc:
            return fail(str(exc), raw)
        except (OSError, UnicodeDecodeError) as exc:
            return fail(f"{call.name} failed: {exc}", raw)
        return ToolResult(call_id=call.id, name=call.name, ok=True, output=output,
                          summary=summary, arguments=raw, value=parsed, changed=changed)

    def _run(self, name: str, parsed: BaseModel) -> tuple[str, str, bool]:
        ws = self.workspace
        if isinstance(parsed, A.ReadFileArgs):
            text = ws.read(parsed.path, parsed.start, parsed.end)
            self._remember(ws.path(parsed.path))
            return text, text.splitlines()[0], False
        if isinstance(parsed, A.ListFilesArgs):
            text = ws.list(parsed.glob)
            return text, f"{len(text.splitlines())} files", False
        if isinstance(parsed, A.SearchArgs):
            text = ws.search(parsed.pattern, parsed.glob)
            count = 0 if text == "(no matches)" else len(text.splitlines())
            return text, f"{count} matches for {parsed.pattern!r}", False
        if isinstance(parsed, A.RepoMapArgs):
            if self.repo_map is None:
                return "(the repo map is unavailable; use list_files and search)", "no map", False
            from repomap.protocol import MapRequest

            try:
                result = self.repo_map.render(MapRequest(
                    query=parsed.query, chat_files=tuple(self.chat_files),
                    max_tokens=self.map_tokens,
                ))
            except Exception as exc:  # noqa: BLE001 - a broken map must not end the run
                raise ToolInputError(
                    f"the repo map failed ({exc}); use list_files and search"
                ) from exc
            return result.text or "(empty map)", f"map: {len(result.files)} files", False
        if isinstance(parsed, A.EditFileArgs | A.WriteFileArgs | A.DeleteFileArgs):
            return self._mutate(parsed)
        if isinstance(parsed, A.RunTestsArgs):
            if self.test_runner is None:
                return "(tests cannot run in this phase)", "tests unavailable", False
            text = self.test_runner(parsed.selection)
            return text, text.splitlines()[0] if text else "tests ran", False
        if isinstance(parsed, A.FinishArgs):
            first = parsed.summary.splitlines()[0][:160] if parsed.summary else ""
            return "finishing", first, False
        if isinstance(parsed, A.SubmitReviewArgs):
            return "review recorded", f"{parsed.status}, {len(parsed.findings)} findings", False
        if isinstance(parsed, A.SubmitPlanArgs):
            return "plan recorded", parsed.summary[:160], False
        raise ToolInputError(f"{name}: not implemented")

    def _mutate(self, parsed: BaseModel) -> tuple[str, str, bool]:
        ws = self.workspace
        if isinstance(parsed, A.EditFileArgs):
            view = ws.edit(parsed.path, parsed.old, parsed.new)
            verb = "edited"
        elif isinstance(parsed, A.WriteFileArgs):
            view = ws.write(parsed.path, parsed.content)
            verb = "wrote"
        else:
            assert isinstance(parsed, A.DeleteFileArgs)
            view = ws.delete(parsed.path)
            verb = "deleted"
        self._remember(view.path)
        hunks = len(view.hunks)
        text = (f"{verb} {view.path} (pending, {hunks} hunk{'s' * (hunks != 1)} in this file; "
                "nothing is written to disk until the human accepts)")
        return text, f"{verb} {view.path}", True

    def _remember(self, path: str) -> None:
        if path not in self.chat_files:
            self.chat_files.append(path)
