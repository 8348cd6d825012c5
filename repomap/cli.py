"""`hunkwise map`: print the repository map for a message."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `map` subcommand."""
    parser = subparsers.add_parser(
        "map",
        help="print the ranked repository map for a message",
        description="Rank the repository's files for a message and print the map that fits "
        "the token budget.",
    )
    parser.add_argument("--repo", dest="map_repo", default=None, help="repository (default: .)")
    parser.add_argument("--tokens", type=int, default=None, help="token budget of the map")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--query", default="", help="the message to rank for")
    source.add_argument("--query-file", default=None, help="read the message from this file")
    parser.add_argument(
        "--mention",
        action="append",
        default=[],
        metavar="PATH",
        help="a file to rank first, as if the message named it (repeatable)",
    )
    parser.add_argument(
        "--chat",
        action="append",
        default=[],
        metavar="PATH",
        help="a file already in the chat: ranked first, left out of the map text (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_map)


def run_map(args: argparse.Namespace) -> int:
    """Build (or refresh) the index, render the map and print it."""
    import json
    import sys
    import time

    from hunkwise.errors import ConfigError
    from hunkwise.settings import load_settings
    from repomap import open_repo_map
    from repomap.protocol import MapRequest

    started = time.perf_counter()
    repo = Path(args.map_repo or getattr(args, "repo", ".") or ".")
    if not repo.is_dir():
        raise ConfigError(f"--repo {repo} is not a directory", "pass the path of a git repository")
    query = args.query
    if args.query_file:
        try:
            query = Path(args.query_file).read_text("utf-8", errors="replace")
        except OSError as exc:
            raise ConfigError(
                f"cannot read --query-file {args.query_file}: {exc.strerror}",
                "pass a readable text file, or use --query TEXT",
            ) from exc
    settings = load_settings(repo)
    budget = settings.repomap.max_tokens if args.tokens is None else args.tokens
    if budget < 0:
        raise ConfigError(f"--tokens {budget} is negative", "pass a budget of 0 or more tokens")
    repo_map = open_repo_map(repo, settings.repomap, getattr(args, "model", None))
    show_progress = sys.stderr.isatty() and not args.json
    progress = None
    if show_progress:

        def progress(done: int, total: int) -> None:
            print(f"\rparsing {done}/{total}", end="", file=sys.stderr, flush=True)

    repo_map.build(progress)
    if show_progress:
        print(file=sys.stderr)
    mentions = tuple(_relative(repo, m) for m in args.mention)
    chat = tuple(_relative(repo, m) for m in args.chat)
    result = repo_map.render(
        MapRequest(query=query, chat_files=chat, mentioned_files=mentions, max_tokens=budget)
    )
    if args.json:
        payload = {
            "files": list(result.files),
            "map": result.text,
            "tokens": result.tokens,
            "seconds": round(time.perf_counter() - started, 4),
        }
        print(json.dumps(payload))
    else:
        print(result.text, end="")
    return 0


def _relative(repo: Path, mention: str) -> str:
    """A mention as a repository-relative POSIX path when it lies inside the repository."""
    path = Path(mention)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:
            return mention
    return path.as_posix()
