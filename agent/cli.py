"""`hunkwise run` (the loop, headless) and `hunkwise sessions`."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `run` and `sessions` subcommands."""
    from agent.headless import EXIT_CODES_HELP

    run = subparsers.add_parser(
        "run",
        help="run the agent headless on a task",
        description="Run the agent on TASK until it is ready for review, stuck or out of "
        "budget. With --accept all --commit the accepted changes are tested in the sandbox and "
        "committed only if the tests pass.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("task", nargs="?", default="", help="what to do (optional with --resume)")
    run.add_argument("--repo", dest="run_repo", default=argparse.SUPPRESS,
                     help="repository (default: .)")
    run.add_argument("--model", dest="run_model", default=argparse.SUPPRESS,
                     help="litellm model name or replay:PATH")
    run.add_argument("--accept", choices=("all", "none"), default=None,
                     help="decide every hunk when the agent is done")
    run.add_argument("--commit", action="store_true",
                     help="test the accepted changes in the sandbox and commit them if they pass")
    run.add_argument("--max-turns", type=int, default=None, help="model turns for this run")
    run.add_argument("--max-cost", type=float, default=None, metavar="USD",
                     help="dollars for this run")
    run.add_argument("--plan", action="store_true", help="plan (TaskSpec) before editing")
    run.add_argument("--no-review", action="store_true", help="skip the self-review pass")
    run.add_argument("--json", action="store_true", help="print the event stream as JSON lines")
    run.add_argument("--resume", default=None, metavar="ID", help="continue a session")
    run.set_defaults(func=run_command)

    sessions = subparsers.add_parser("sessions", help="list agent sessions",
                                     description="List stored sessions, newest first.")
    sessions.add_argument("--repo", dest="sessions_repo", default=argparse.SUPPRESS,
                          help="only sessions of this repository")
    sessions.add_argument("--show", default=None, metavar="ID",
                          help="print one session's audit trail")
    sessions.add_argument("--json", action="store_true", help="print JSON")
    sessions.set_defaults(func=sessions_command)


def run_command(args: argparse.Namespace) -> int:
    """Handler of `hunkwise run`."""
    from pathlib import Path

    from agent.headless import RunOptions, run_headless
    from hunkwise.errors import ConfigError

    if args.commit and args.accept != "all":
        raise ConfigError("--commit needs --accept all in a headless run",
                          "add --accept all, or review the changes in the app (hunkwise)")
    if args.max_turns is not None and args.max_turns < 1:
        raise ConfigError(f"--max-turns {args.max_turns} must be at least 1", "pass 1 or more")
    if args.max_cost is not None and args.max_cost <= 0:
        raise ConfigError(f"--max-cost {args.max_cost} must be positive", "e.g. --max-cost 0.50")
    if not args.task and not args.resume:
        raise ConfigError("no task given", 'hunkwise run "fix the failing test" (or --resume ID)')
    options = RunOptions(
        task=args.task,
        repo=Path(getattr(args, "run_repo", None) or args.repo or "."),
        model=getattr(args, "run_model", None) or args.model,
        accept=args.accept, commit=args.commit, max_turns=args.max_turns,
        max_cost=args.max_cost, json=args.json, resume=args.resume, plan=args.plan,
        no_review=args.no_review,
    )
    return run_headless(options)


def sessions_command(args: argparse.Namespace) -> int:
    """Handler of `hunkwise sessions`."""
    import json
    import time
    from pathlib import Path

    from agent.sessions import db_path_for, open_store
    from hunkwise.settings import load_settings

    settings = load_settings(None)
    db = db_path_for(settings)
    repo_arg = getattr(args, "sessions_repo", None)
    with open_store(db) as store:
        if args.show:
            info = store.get(args.show)
            trail = store.audit_trail(info.id)
            if args.json:
                print(json.dumps({"session": info.model_dump(), "audit": trail}))
                return 0
            print(f"{info.id}  {info.state}  {info.task}")
            for row in trail:
                stamp = time.strftime("%H:%M:%S", time.localtime(row["ts"]))
                mark = "ok " if row["ok"] else "ERR"
                print(f"  {stamp} {mark} {row['kind']:<8} {row['name']:<14} {row['detail'][:60]}"
                      f"  -> {row['result'][:60]}")
            return 0
        rows = store.list(Path(repo_arg).resolve() if repo_arg else None)
        if args.json:
            print(json.dumps([r.model_dump() for r in rows]))
            return 0
        if not rows:
            print("no sessions yet; start one with: hunkwise run \"TASK\"")
        for r in rows:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.updated))
            print(f"{r.id}  {when}  {r.state:<17} ${r.cost_usd:<8.4f} {r.turns:>3} turns  "
                  f"{r.task[:50]}  ({r.repo})")
    return 0
