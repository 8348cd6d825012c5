"""Per-turn overhead of the agent loop excluding the model: repo-map re-rank plus prompt build.

usage: python benchmarks/agent_overhead.py [--repo DIR] [--turns N]

Builds the repo map once (as a run does), then times what the loop does before every model call:
re-rank the map for the conversation so far and rewrite the task message, trim the history, mask
secrets over every message, and produce the tool schemas. Prints median and p95 per turn.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=str(ROOT), help="repository to measure on")
    parser.add_argument("--turns", type=int, default=30, help="turns to time")
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

    from agent import context
    from agent.changes import ChangeSet
    from agent.loop import Agent
    from agent.tools.args import WORK_TOOLS
    from agent.tools.toolbox import ToolBox
    from hunkwise.settings import Settings
    from repomap import open_repo_map

    repo = Path(args.repo).resolve()
    settings = Settings.model_validate({"model": {"main": "replay:/dev/null"}})
    started = time.perf_counter()
    repo_map = open_repo_map(repo, settings.repomap, None)
    repo_map.build(None)
    build_s = time.perf_counter() - started
    changes = ChangeSet(repo, settings.agent.deny_globs)
    agent = Agent(repo, settings, changes, None, repo_map, lambda event: None)
    agent.task = "fix the failing config loading test when a TOML file is given"
    agent.messages = [context.system_message(repo),
                      context.task_message(agent.task, agent.map.render(agent.task))]
    toolbox = ToolBox(agent.workspace, WORK_TOOLS, repo_map, None)
    files = toolbox.workspace.all_files()
    py_files = [f for f in files if f.endswith(".py")][:8] or files[:8]

    map_times: list[float] = []
    build_times: list[float] = []
    for turn in range(args.turns):
        chat = py_files[: 1 + turn % len(py_files)]
        toolbox.chat_files = list(chat)
        # A turn's worth of conversation: an assistant call and a file-sized tool result.
        agent.messages.append({"role": "assistant", "content": f"looking at {chat[-1]}",
                               "tool_calls": [{"id": f"c{turn}", "type": "function", "function":
                                               {"name": "read_file", "arguments": "{}"}}]})
        agent.messages.append({"role": "tool", "tool_call_id": f"c{turn}",
                               "content": changes.read_text(chat[-1])[:8000]})
        t0 = time.perf_counter()
        agent._refresh_map(toolbox.chat_files)
        t1 = time.perf_counter()
        trimmed = context.trim_history(agent.messages, settings.model.context_tokens)
        agent.masker.mask_messages(trimmed)
        toolbox.schemas()
        t2 = time.perf_counter()
        map_times.append(t1 - t0)
        build_times.append(t2 - t1)

    def ms(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    total = [a + b for a, b in zip(map_times, build_times, strict=True)]
    print(f"repo: {repo} ({len(files)} files visible to the agent)")
    print(f"repo map build (once per run, cache warm or cold as found): {build_s * 1000:.0f} ms")
    print(f"turns timed: {args.turns}; prompt at the last turn: "
          f"~{context.estimate_tokens(agent.messages)} tokens in {len(agent.messages)} messages")
    print(f"map re-rank + task message : median {statistics.median(map_times) * 1000:.1f} ms, "
          f"p95 {ms(map_times, 0.95):.1f} ms")
    print(f"prompt build (trim+mask+schemas): median {statistics.median(build_times) * 1000:.1f}"
          f" ms, p95 {ms(build_times, 0.95):.1f} ms")
    print(f"overhead per turn excluding the model: median {statistics.median(total) * 1000:.1f}"
          f" ms, p95 {ms(total, 0.95):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
