"""`hunkwise` (no subcommand) opens the app; `hunkwise demo` opens it on a bundled example."""

from __future__ import annotations

import argparse
from pathlib import Path


def open_app(args: argparse.Namespace) -> int:
    """Open the app on `--repo` with `--model` (settings file and environment fill the rest)."""
    from hunkwise.errors import RepoError
    from hunkwise.settings import load_settings

    repo = Path(args.repo).expanduser().resolve()
    if not repo.is_dir():
        raise RepoError(
            f"{repo} is not a directory", "pass --repo DIR pointing at a git repository"
        )
    if not (repo / ".git").exists():
        from agent.vcs import GitRepo

        GitRepo.open(repo)  # raises RepoError with a hint when this is not a repository
    settings = load_settings(repo)
    from tui.app import make_app

    make_app(repo, settings, model=args.model).run()
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Copy the example project, commit it, and open the app with the scripted replay model."""
    from tui.demo import DEMO_TASK, demo_model, prepare_demo

    target = prepare_demo(Path(args.dir) if args.dir else None)
    from hunkwise.settings import load_settings
    from tui.app import make_app

    settings = load_settings(target)
    print(f"hunkwise demo: project at {target}")
    make_app(target, settings, model=demo_model(), initial_task=DEMO_TASK).run()
    print(f"hunkwise demo: the project is still at {target} (git log there shows your commit)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `demo`, and make the app the default when no subcommand is given."""
    demo = subparsers.add_parser(
        "demo",
        help="open the app on a bundled example project with a scripted model (no API key)",
        description="Copies a small project with a real bug and a failing test to --dir "
        "(default: a new temp dir), commits it, and opens the app with a replay model that "
        "proposes a fix. Reject the wrong hunk (r), accept the rest (y), run the tests (t), "
        "commit (c).",
    )
    demo.add_argument("--dir", default=None, help="where to put the project (must be empty)")
    demo.set_defaults(func=run_demo)


# Defaults for the root parser (see hunkwise/cli.py): the app is what `hunkwise` alone runs.
ROOT_DEFAULTS: dict[str, object] = {"open_app": open_app}
