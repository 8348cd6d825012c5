"""The `hunkwise` command line: subcommands are registered by the package that owns them."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from hunkwise import __version__
from hunkwise.errors import HunkwiseError

# Each module defines `register(subparsers) -> None` and sets `func(args) -> int` on its parsers.
# Imports stay cheap: modules import their heavy dependencies inside the handlers.
COMMAND_MODULES: tuple[str, ...] = (
    "tui.cli",
    "repomap.cli",
    "sandbox.cli",
    "agent.changes.cli",
    "agent.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The full parser; the app opens when no subcommand is given."""
    parser = argparse.ArgumentParser(
        prog="hunkwise",
        description="A terminal pair-programmer: review agent changes hunk by hunk, "
        "test them in a sandbox, commit exactly what you accepted.",
    )
    parser.add_argument("--version", action="version", version=f"hunkwise {__version__}")
    parser.add_argument("--repo", default=".", help="repository to work on (default: .)")
    parser.add_argument("--model", default=None, help="litellm model name or replay:PATH")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A command whose package is not installed yet is left out; any other
            # missing import is a real bug and propagates.
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        module.register(sub)
        # A module may say what runs when no subcommand is given (tui.cli: the app).
        parser.set_defaults(**getattr(module, "ROOT_DEFAULTS", {}))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        default = parser.get_default("open_app")
        if default is None:
            parser.print_help()
            return 0
        func = default
    try:
        return int(func(args) or 0)
    except HunkwiseError as exc:
        print(f"hunkwise: error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("hunkwise: interrupted", file=sys.stderr)
        return 130
