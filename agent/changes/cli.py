"""`hunkwise apply` (git add -p for any patch) and `hunkwise undo`."""

from __future__ import annotations

import argparse
import sys

from hunkwise.errors import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `apply` and `undo` commands."""
    apply = subparsers.add_parser(
        "apply",
        help="review a unified diff hunk by hunk; write (and commit) only the hunks you take",
        description="Number the hunks of PATCH, write only the accepted ones to the working "
        "tree (after a safety snapshot) and optionally commit exactly them.",
    )
    apply.add_argument("patch", help="unified diff file, or - for standard input")
    apply.add_argument("--repo", dest="repo", default=argparse.SUPPRESS, help="repository")
    take = apply.add_mutually_exclusive_group()
    take.add_argument("--list", action="store_true", help="print the numbered hunks and stop")
    take.add_argument("--accept", metavar="SPEC", help="hunks to take, e.g. 1,3,5-7")
    take.add_argument("--accept-all", action="store_true", help="take every hunk")
    take.add_argument(
        "-i", "--interactive", action="store_true", help="ask about each hunk (y/n/s/a/d/q)"
    )
    apply.add_argument("--commit", action="store_true", help="commit exactly the taken hunks")
    apply.add_argument("-m", "--message", default=None, help="commit message")
    apply.set_defaults(func=run_apply)

    undo = subparsers.add_parser(
        "undo",
        help="take back the last hunkwise commit (your uncommitted changes stay)",
        description="Move HEAD back over the last hunkwise commit and remove its changes from "
        "the working tree, keeping your own uncommitted changes.",
    )
    undo.add_argument("--repo", dest="repo", default=argparse.SUPPRESS, help="repository")
    undo.add_argument(
        "--keep-changes",
        action="store_true",
        help="only move HEAD back: the commit's changes stay in the working tree, uncommitted",
    )
    undo.set_defaults(func=run_undo)


def parse_spec(spec: str, count: int) -> set[int]:
    """Hunk numbers from a SPEC like `1,3,5-7` (1-based); ConfigError on nonsense."""
    chosen: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise ConfigError(f"bad hunk spec {part!r}", "use numbers and ranges like 1,3,5-7")
        first, last = int(low), int(high or low)
        if first < 1 or last > count or first > last:
            raise ConfigError(
                f"hunk spec {part!r} is outside 1-{count}", "run with --list to see the numbers"
            )
        chosen.update(range(first, last + 1))
    if not chosen:
        raise ConfigError("the hunk spec is empty", "use numbers and ranges like 1,3,5-7")
    return chosen


def _read_patch(name: str) -> bytes:
    from pathlib import Path

    from agent.changes.errors import PatchError

    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise PatchError(f"cannot read {name}: {exc.strerror}", "check the patch path") from exc


def run_apply(args: argparse.Namespace) -> int:
    """The `apply` command."""
    from pathlib import Path

    from agent.changes import ChangeSet, Decision
    from hunkwise.settings import load_settings

    repo = Path(args.repo).resolve()
    settings = load_settings(repo)
    changes = ChangeSet.from_patch(repo, _read_patch(args.patch), settings.agent.deny_globs)
    changes.git_settings = settings.git
    hunks = changes.numbered()
    if args.list or not (args.accept or args.accept_all or args.interactive):
        for number, hunk in enumerate(hunks, start=1):
            print(f"[{number}] {hunk.path} {hunk.header}  (+{hunk.added} -{hunk.removed})")
            for line in hunk.lines:
                print(f"    {line.kind}{line.text}")
        if not args.list:
            print(
                "hint: take hunks with --accept SPEC (e.g. 1,3), --accept-all or -i",
                file=sys.stderr,
            )
        return 0
    if args.interactive:
        from agent.changes.interactive import ask_hunks

        if args.patch == "-":
            raise ConfigError("-i reads answers from standard input", "pass the patch as a file")
        taken = ask_hunks(changes, sys.stdin, sys.stdout)
    else:
        chosen = (
            set(range(1, len(hunks) + 1))
            if args.accept_all
            else parse_spec(args.accept, len(hunks))
        )
        for number, hunk in enumerate(hunks, start=1):
            changes.decide(hunk.id, Decision.ACCEPTED if number in chosen else Decision.REJECTED)
        taken = len(chosen)
    if not taken:
        print("no hunks taken; nothing written")
        return 0
    git_repo = None
    if args.commit:
        from agent.vcs import GitRepo

        git_repo = GitRepo.open(repo, settings.git)
        git_repo.check_committable()
    overlay, bases = changes.accepted_overlay(), changes.base_overlay()
    report = changes.write_accepted()
    for path in report.written:
        print(f"wrote {path}")
    for path in report.deleted:
        print(f"deleted {path}")
    for message in report.messages:
        print(f"refused: {message}", file=sys.stderr)
    if report.snapshot:
        print(f"snapshot: {report.snapshot}")
    if git_repo is not None and report.ok:
        message = args.message or f"Apply {taken} hunk(s) of {Path(args.patch).name}"
        sha = git_repo.commit_contents(overlay, message, args.model, bases=bases)
        print(f"committed {sha[:12]} on {git_repo.branch()}")
    return 0 if report.ok else 1


def run_undo(args: argparse.Namespace) -> int:
    """The `undo` command."""
    from pathlib import Path

    from agent.vcs import GitRepo
    from hunkwise.settings import load_settings

    repo = Path(args.repo).resolve()
    git_repo = GitRepo.open(repo, load_settings(repo).git)
    sha = git_repo.undo_last(keep_worktree=True if args.keep_changes else None)
    print(f"undone: HEAD is now {sha[:12]} on {git_repo.branch()}")
    return 0
