"""Building a real Agent over a temp repo with a replay script, collecting its events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.changes import ChangeSet
from agent.events import AgentEvent
from agent.loop import Agent
from hunkwise.settings import Settings


def make_agent(repo: Path, script: Path, *, sandbox: bool = True, store: Any = None,
               session_id: str | None = None, repo_map: Any = None,
               **sections: dict[str, Any]) -> tuple[Agent, list]:
    """An Agent on `repo` driven by `script`; returns it with the list its events land in."""
    data: dict[str, Any] = {
        "model": {"main": f"replay:{script}", "retry_base_s": 0.001},
        "sandbox": {"backend": "bwrap", "timeout_s": 120},
    }
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    settings = Settings.model_validate(data)
    changes = ChangeSet(repo, settings.agent.deny_globs)
    events: list[AgentEvent] = []
    factory = None
    if sandbox:
        from sandbox.select import open_sandbox

        def factory():  # noqa: ANN202 - a context manager factory
            return open_sandbox(settings.sandbox)

    agent = Agent(repo, settings, changes, factory, repo_map, events.append, store=store,
                  session_id=session_id)
    return agent, events


def of_type(events: list, name: str) -> list:
    """Events of one `type`."""
    return [e for e in events if e.type == name]
