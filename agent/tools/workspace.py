"""What the file tools do: read, list and search through the pending overlay; edit into it."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from agent.tools.paths import ToolInputError, check_path, is_denied
from hunkwise.gitrun import run_git

if TYPE_CHECKING:
    from agent.changes import ChangeSet, FileView

MAX_READ_LINES = 600
MAX_LIST = 400
MAX_MATCHES = 200


class Workspace:
    """The repository as the model sees it: working tree plus pending edits, minus denied files."""

    def __init__(self, repo: Path, changes: ChangeSet, deny_globs: Sequence[str]) -> None:
        self.repo = repo
        self.changes = changes
        self.deny_globs = list(deny_globs)

    def path(self, path: str) -> str:
        """A checked repo-relative path (raises PolicyError when refused)."""
        return check_path(self.repo, path, self.deny_globs)

    def read(self, path: str, start: int | None, end: int | None) -> str:
        """Numbered lines of a file with pending edits applied."""
        clean = self.path(path)
        overlay = self.changes.proposed_overlay()
        if clean in overlay and overlay[clean] is None:
            raise ToolInputError(f"{clean}: deleted in the pending changes")
        if clean not in overlay and not (self.repo / clean).is_file():
            raise ToolInputError(f"{clean}: no such file; use list_files or search to find it")
        text = self.changes.read_text(clean)
        lines = text.splitlines()
        first = max(1, start or 1)
        last = min(len(lines), end or len(lines), first + MAX_READ_LINES - 1)
        shown = "\n".join(f"{n:>5}  {lines[n - 1]}" for n in range(first, last + 1))
        tail = ""
        if last < len(lines):
            tail = f"\n... ({len(lines) - last} more lines; read with start={last + 1})"
        return f"{clean} (lines {first}-{last} of {len(lines)})\n{shown}{tail}"

    def all_files(self) -> list[str]:
        """Tracked and untracked-not-ignored files, with pending creations and deletions."""
        out = _git(self.repo, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        files = {p for p in out.split("\0") if p}
        for path, content in self.changes.proposed_overlay().items():
            if content is None:
                files.discard(path)
            else:
                files.add(path)
        return sorted(p for p in files if not is_denied(p, self.deny_globs)
                      and (path_exists(self.repo, p) or p in self.changes.proposed_overlay()))

    def list(self, glob: str | None) -> str:
        """Files matching `glob`, one per line."""
        files = [p for p in self.all_files() if glob is None or _glob_match(p, glob)]
        more = len(files) - MAX_LIST
        text = "\n".join(files[:MAX_LIST]) or "(no files match)"
        return text + (f"\n... {more} more; narrow the glob" if more > 0 else "")

    def search(self, pattern: str, glob: str | None) -> str:
        """`path:line:text` matches of an extended regex; pending edits searched in Python."""
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise ToolInputError(f"invalid regular expression {pattern!r}: {exc}") from None
        overlay = self.changes.proposed_overlay()
        args = ["grep", "-n", "-I", "--no-color", "--untracked", "-E", "-e", pattern, "--"]
        args += [glob] if glob else []
        matches: list[str] = []
        for line in _git(self.repo, args, ok_codes=(0, 1)).splitlines():
            path = line.split(":", 1)[0]
            if path in overlay or is_denied(path, self.deny_globs):
                continue
            matches.append(line)
        for path, content in sorted(overlay.items()):
            if content is None or is_denied(path, self.deny_globs):
                continue
            if glob and not _glob_match(path, glob):
                continue
            text = content.decode("utf-8", errors="replace")
            for number, text_line in enumerate(text.splitlines(), 1):
                if regex.search(text_line):
                    matches.append(f"{path}:{number}:{text_line}")
        matches.sort(key=_match_key)
        more = len(matches) - MAX_MATCHES
        text = "\n".join(m[:300] for m in matches[:MAX_MATCHES]) or "(no matches)"
        return text + (f"\n... {more} more matches; narrow the pattern or glob" if more > 0 else "")

    def edit(self, path: str, old: str, new: str) -> FileView:
        """Replace one unique occurrence in the pending version of `path`."""
        return self.changes.edit(self.path(path), old, new)

    def write(self, path: str, content: str) -> FileView:
        """Create or replace a file in the pending change set."""
        return self.changes.write(self.path(path), content)

    def delete(self, path: str) -> FileView:
        """Delete a file in the pending change set."""
        return self.changes.delete(self.path(path))


def path_exists(repo: Path, path: str) -> bool:
    """True when the working tree has the file."""
    return (repo / path).is_file()


def _glob_match(path: str, glob: str) -> bool:
    glob = glob.lstrip("./") if glob.startswith("./") else glob
    if "/" not in glob:
        return fnmatch.fnmatch(path.rsplit("/", 1)[-1], glob) or fnmatch.fnmatch(path, glob)
    return fnmatch.fnmatch(path, glob) or fnmatch.fnmatch(path, glob.replace("**/", ""))


def _match_key(line: str) -> tuple[str, int]:
    path, _, rest = line.partition(":")
    number = rest.partition(":")[0]
    return path, int(number) if number.isdigit() else 0


def _git(repo: Path, args: list[str], ok_codes: tuple[int, ...] = (0,)) -> str:
    result = run_git(
        args, repo, timeout=60, isolated=True,
        # No user or system config: a repository's tools must behave the same everywhere.
        base_env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
                  "LC_ALL": "C.UTF-8"},
    )
    if result.returncode not in ok_codes:
        stderr = result.stderr.decode("utf-8", "replace")
        raise ToolInputError(f"git {args[0]} failed: {stderr.strip()[:300]}")
    return result.stdout.decode("utf-8", "replace")
