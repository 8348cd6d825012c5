"""The one way hunkwise runs git: nothing a repository planted (hooks, fsmonitor, filters,
external diff, textconv, pager, ext:: transport, signing program) runs on the host.

Every git invocation in the project goes through `git_argv`/`git_env` (GitPython's runner in
`agent/vcs/gitcmd.py` uses them too); `tests/test_git_runner.py` scans the source for others.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

# Config every call gets (`-c` wins over the repository's .git/config). Each one names a
# program or behaviour a planted .git/config could otherwise make git run on our behalf.
SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",
    f"core.hooksPath={os.devnull}",  # an empty hooks dir: no hook of any kind is found
    "core.pager=cat",
    "protocol.ext.allow=never",
    "commit.gpgSign=false",  # commit-tree honours it and would run gpg.program
    "tag.gpgSign=false",
)
# Options a repository can only opt back into through the user's GitSettings.
HOOKS = f"core.hooksPath={os.devnull}"
FSMONITOR = "core.fsmonitor=false"

# Subcommands that produce diffs: a diff driver's command or textconv would run there.
DIFF_COMMANDS = frozenset({"diff", "diff-tree", "diff-index", "diff-files", "log", "show"})

# Inherited variables that would point git elsewhere or run a program of their own.
DROPPED_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PROXY_COMMAND",
)


def safe_config(
    *, run_hooks: bool = False, allow_fsmonitor: bool = False, extra: Sequence[str] = ()
) -> tuple[str, ...]:
    """The `-c KEY=VALUE` arguments for one git call (hooks/fsmonitor only if opted in)."""
    items = [
        item
        for item in SAFE_CONFIG
        if not (run_hooks and item == HOOKS) and not (allow_fsmonitor and item == FSMONITOR)
    ]
    items.extend(extra)
    return tuple(arg for item in items for arg in ("-c", item))


def git_argv(args: Sequence[str], options: Sequence[str] | None = None) -> list[str]:
    """`git --no-pager <options> <args>`, with external diff and textconv off for diffs."""
    opts = safe_config() if options is None else tuple(options)
    argv = ["git", "--no-pager", *opts, *args]
    if args and args[0] in DIFF_COMMANDS:
        at = len(argv) - len(args) + 1
        argv[at:at] = ["--no-ext-diff", "--no-textconv"]
    return argv


def git_env(
    extra: Mapping[str, str] | None = None,
    *,
    isolated: bool = False,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for a git call; `isolated` also ignores the user's and system config."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in DROPPED_ENV}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", GIT_OPTIONAL_LOCKS="0")
    if isolated:
        env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    if extra:
        env.update(extra)
    return env


def filter_overrides(repo: Path) -> tuple[str, ...]:
    """Config items that empty every filter driver the repository's config defines.

    A clean/smudge/process filter set up in .git/config runs on `git add`, `update-index` and
    worktree diffs; git has no switch to turn attributes off (before 2.40), so each driver it
    would find is blanked instead.
    """
    proc = run_git(
        ["config", "-z", "--name-only", "--get-regexp", r"^filter\..*\.(clean|smudge|process)$"],
        repo,
    )
    drivers = set()
    for key in proc.stdout.decode("utf-8", "replace").split("\0"):
        if key.startswith("filter.") and key.count(".") >= 2:
            drivers.add(key[len("filter.") : key.rindex(".")])
    return tuple(
        f"filter.{name}.{field}"
        for name in sorted(drivers)
        for field in ("clean=", "smudge=", "process=", "required=false")
    )


def run_git(
    args: Sequence[str],
    cwd: Path | str,
    *,
    options: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    isolated: bool = False,
    base_env: Mapping[str, str] | None = None,
    input: bytes | None = None,
    timeout: float | None = 120,
) -> subprocess.CompletedProcess[bytes]:
    """Run git safely in `cwd` and return the completed process (bytes, not checked).

    `env` is added to the inherited environment (`base_env`, default os.environ).
    Raises FileNotFoundError when git is not installed (callers turn it into their error).
    """
    return subprocess.run(
        git_argv(args, options),
        cwd=cwd,
        env=git_env(env, isolated=isolated, base=base_env),
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
