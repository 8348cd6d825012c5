"""The pending change set: the agent proposes into it, the reviewer decides, nothing hits disk."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from agent.changes.errors import BinaryFileError, ChangeError, EditError, UnknownHunkError
from agent.changes.filechange import FileChange
from agent.changes.lines import decode, encode, is_binary
from agent.changes.matching import replace_once
from agent.changes.model import Decision, FileView, HunkView, WriteReport
from agent.changes.paths import normalize
from agent.settings import GitSettings


class ChangeSet:
    """Pending changes over `repo`'s working tree; only `write_accepted` touches disk."""

    def __init__(
        self,
        repo: Path,
        deny_globs: Sequence[str] = (),
        git_settings: GitSettings | None = None,
    ) -> None:
        self.repo = Path(repo).resolve()
        if not self.repo.is_dir():
            raise ChangeError(f"{repo} is not a directory", "pass the repository's root folder")
        self.deny_globs = tuple(deny_globs)
        self.git_settings = git_settings or GitSettings()
        self.read_only = False  # set for a review of the user's own worktree
        self._files: dict[str, FileChange] = {}
        self._order: list[str] = []  # file order of a loaded patch
        self._edited: dict[str, FileChange] = {}  # own-changes review: files with edited hunks
        self._lock = threading.RLock()

    # -- disk ---------------------------------------------------------------------------

    def _path(self, path: str | Path) -> str:
        return normalize(self.repo, path, self.deny_globs)

    def _disk(self, rel: str) -> bytes | None:
        try:
            return (self.repo / rel).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ChangeError(
                f"cannot read {rel}: {exc.strerror}", "check the file's permissions"
            ) from exc

    def _change(self, rel: str) -> FileChange:
        change = self._files.get(rel)
        if change is None:
            disk = self._disk(rel)
            change = FileChange(rel, disk, disk=disk)
        return change

    def is_stale(self, rel: str) -> bool:
        """Whether the file changed on disk since the change set read it."""
        change = self._files.get(rel)
        if change is None:
            return False
        try:
            return self._disk(rel) != change.disk
        except ChangeError:
            return True  # unreadable now (a folder, no permission): not what we read

    # -- agent side -----------------------------------------------------------------------

    def read_text(self, path: str | Path) -> str:
        """The file as the agent should see it: working tree with pending changes overlaid."""
        rel = self._path(path)
        with self._lock:
            change = self._files.get(rel)
            content = change.proposed() if change else self._disk(rel)
        if content is None:
            raise ChangeError(f"{rel} does not exist", "list the directory or create the file")
        if is_binary(content):
            raise BinaryFileError(f"{rel} is a binary file", "hunkwise only reads and edits text")
        return decode(content)

    def exists(self, path: str | Path) -> bool:
        """Whether the file exists once pending changes are applied."""
        rel = self._path(path)
        with self._lock:
            change = self._files.get(rel)
            return (change.proposed() if change else self._disk(rel)) is not None

    def edit(self, path: str | Path, old: str, new: str) -> FileView:
        """Replace the one occurrence of `old` with `new`; EditError (nothing changed) otherwise."""
        rel = self._path(path)
        with self._lock:
            if not self.exists(rel) and old:
                raise EditError(
                    f"{rel} does not exist, so there is nothing to replace",
                    "to create it, pass an empty old text or write the whole file",
                )
            text = self.read_text(rel) if self.exists(rel) else ""
            return self._propose(rel, encode(replace_once(rel, text, old, new)))

    def write(self, path: str | Path, content: str | bytes) -> FileView:
        """Propose the whole new content of a file (creating it if needed).

        Text with only LF endings written over a CRLF file takes CRLF (models write LF); bytes
        are taken exactly as given.
        """
        rel = self._path(path)
        with self._lock:
            if isinstance(content, str):
                current = self._files[rel].proposed() if rel in self._files else self._disk(rel)
                if current and b"\r\n" in current and "\r" not in content:
                    content = content.replace("\n", "\r\n")
                data = encode(content)
            else:
                data = bytes(content)
            return self._propose(rel, data)

    def delete(self, path: str | Path) -> FileView:
        """Propose deleting a file."""
        rel = self._path(path)
        with self._lock:
            if not self.exists(rel):
                raise ChangeError(f"{rel} does not exist", "nothing to delete")
            return self._propose(rel, None)

    def apply_search_replace(self, text: str) -> list[FileView]:
        """Apply SEARCH/REPLACE blocks from model text; all of them or (on EditError) none."""
        from agent.changes.search_replace import parse_blocks

        blocks = parse_blocks(text)
        with self._lock:
            contents: dict[str, str] = {}
            for block in blocks:
                rel = self._path(block.path)
                if rel not in contents:
                    contents[rel] = self.read_text(rel) if self.exists(rel) else ""
                contents[rel] = replace_once(rel, contents[rel], block.search, block.replace)
            for rel, body in contents.items():
                self._check(rel, encode(body))  # every block is checked before any applies
            return [self._propose(rel, encode(body)) for rel, body in contents.items()]

    def _check(self, rel: str, content: bytes | None) -> FileChange:
        if self.read_only:
            raise ChangeError("this change set reviews your own changes", "it takes no edits")
        if is_binary(content):
            raise BinaryFileError(
                f"{rel}: binary content is refused", "hunkwise only edits text files"
            )
        change = self._change(rel)
        if is_binary(change.original):
            raise BinaryFileError(f"{rel} is a binary file", "hunkwise only edits text files")
        return change

    def _propose(self, rel: str, content: bytes | None) -> FileView:
        change = self._check(rel, content)
        change.propose(content)
        if change.hunks:
            self._files[rel] = change
        else:
            self._files.pop(rel, None)
        return change.view(self.is_stale(rel))

    def proposed_overlay(self) -> dict[str, bytes | None]:
        """Every pending change, decided or not: what the agent's own test runs see."""
        with self._lock:
            return {rel: change.proposed() for rel, change in sorted(self._files.items())}

    # -- review side ----------------------------------------------------------------------

    def files(self) -> list[FileView]:
        """Touched files sorted by path."""
        with self._lock:
            return [c.view(self.is_stale(rel)) for rel, c in sorted(self._files.items())]

    def __len__(self) -> int:
        return len(self._files)

    def _find(self, hunk_id: str) -> tuple[FileChange, int]:
        for change in self._files.values():
            for number, hunk in enumerate(change.hunks):
                if hunk.id == hunk_id:
                    return change, number
        raise UnknownHunkError(
            f"no hunk {hunk_id!r} in the change set", "it may have been split, edited or written"
        )

    def hunks(self) -> Iterator[HunkView]:
        """Every hunk in file order."""
        for view in self.files():
            yield from view.hunks

    def numbered(self) -> list[HunkView]:
        """Every hunk, in patch order for a loaded patch (else by path): hunk N is [N-1]."""
        by_path = {view.path: view for view in self.files()}
        order = [p for p in self._order if p in by_path] + sorted(set(by_path) - set(self._order))
        return [hunk for path in order for hunk in by_path[path].hunks]

    def hunk(self, hunk_id: str) -> HunkView:
        """The current view of one hunk."""
        with self._lock:
            change, number = self._find(hunk_id)
            return change.hunk_view(number, self.is_stale(change.path))

    def decide(self, hunk_id: str, decision: Decision, reason: str | None = None) -> HunkView:
        """Accept, reject (optionally with a reason for the agent) or undecide a hunk."""
        with self._lock:
            change, number = self._find(hunk_id)
            hunk = change.hunks[number]
            hunk.decision = Decision(decision)
            hunk.reason = reason if hunk.decision is Decision.REJECTED else None
            return self.hunk(hunk_id)

    def decide_file(self, path: str | Path, decision: Decision, reason: str | None = None) -> None:
        """Decide every hunk of a file."""
        rel = self._path(path)
        with self._lock:
            change = self._files.get(rel)
            if change is None:
                raise ChangeError(f"{rel} has no pending changes", "pick a file from the list")
            for hunk in change.hunks:
                self.decide(hunk.id, decision, reason)

    def decide_all(self, decision: Decision) -> None:
        """Decide every hunk of every file."""
        with self._lock:
            for change in self._files.values():
                for hunk in change.hunks:
                    hunk.decision = Decision(decision)

    def split(self, hunk_id: str) -> list[str]:
        """Split a hunk at its context lines (as `git add -p` does); returns the child ids."""
        with self._lock:
            change, number = self._find(hunk_id)
            return change.split(number)

    def toggle_line(self, hunk_id: str, index: int) -> HunkView:
        """Flip whether +/- line `index` of the hunk is taken when the hunk is accepted."""
        with self._lock:
            change, number = self._find(hunk_id)
            current = change.line_selected(number, index)
            change.set_lines(number, {index: not current})
            return self.hunk(hunk_id)

    def select_lines(self, hunk_id: str, indexes: Sequence[int]) -> HunkView:
        """Take exactly these +/- lines of the hunk (by index in `HunkView.lines`)."""
        with self._lock:
            change, number = self._find(hunk_id)
            wanted = set(indexes)
            for index in wanted:
                change.set_lines(number, {index: True})
            change.set_lines(number, {i: i in wanted for i in change.selectable(number)})
            return self.hunk(hunk_id)

    def edit_hunk(self, hunk_id: str, new_text: str) -> HunkView | None:
        """Replace the hunk's new side (its context and + lines) with `new_text`; it is accepted.

        Returns the edited hunk (with a new id), or None when the text undoes the change.
        """
        with self._lock:
            change, number = self._find(hunk_id)
            new_id = change.edit(number, new_text)
            if self.read_only:
                # Kept even when the edit empties the file's hunks: the edit still goes to disk.
                self._edited[change.path] = change
            if not change.hunks:
                self._files.pop(change.path, None)
            return self.hunk(new_id) if new_id else None

    def rejections(self) -> list[HunkView]:
        """Rejected hunks with their reasons, for the agent to redo."""
        return [h for h in self.hunks() if h.decision is Decision.REJECTED]

    def attach_note(self, path: str | Path, line: int, message: str) -> str | None:
        """Attach a review finding to the hunk covering (or nearest to) new-file `line`.

        Returns the hunk's id, or None when the path has no pending hunks (or is not a path
        we would touch at all: findings come from a model and may name anything).
        """
        try:
            rel = self._path(path)
        except ChangeError:
            return None
        with self._lock:
            change = self._files.get(rel)
            if change is None or not change.hunks:
                return None
            number = change.nearest_hunk(line)
            change.hunks[number].notes.append(message)
            return change.hunks[number].id

    def drop_rejected(self) -> list[HunkView]:
        """Remove rejected hunks from the proposal and return them (the agent redoes them)."""
        return self._drop(lambda d: d is Decision.REJECTED)

    def clear_decided(self) -> list[HunkView]:
        """Remove every decided hunk from the proposal (after writing); returns the rejected."""
        return self._drop(lambda d: d is not Decision.UNDECIDED)

    def _drop(self, drop: Callable[[Decision], bool]) -> list[HunkView]:
        with self._lock:
            gone = [h for h in self.hunks() if h.decision is Decision.REJECTED and drop(h.decision)]
            for rel, change in list(self._files.items()):
                if change.drop(drop) and not change.hunks:
                    del self._files[rel]
            return gone

    # -- composition ----------------------------------------------------------------------

    def accepted_overlay(self) -> dict[str, bytes | None]:
        """Per changed file, the original with only accepted hunks and lines (None = delete)."""
        with self._lock:
            overlay = {}
            for rel, change in sorted(self._files.items()):
                changed, content = change.accepted()
                if changed:
                    overlay[rel] = content
            return overlay

    def base_overlay(self) -> dict[str, bytes | None]:
        """The original content of every changed file (None = did not exist)."""
        with self._lock:
            return {rel: change.original for rel, change in sorted(self._files.items())}

    def patch_text(self, accepted_only: bool = False) -> str:
        """A git-style unified diff of the pending (or only the accepted) changes."""
        from agent.changes.unified import patch_text

        target = self.accepted_overlay() if accepted_only else self.proposed_overlay()
        return patch_text(self.base_overlay(), target)

    def write_accepted(self, snapshot: bool = True) -> WriteReport:
        """Write the accepted content atomically after a safety snapshot; see `writer`."""
        from agent.changes.writer import write_accepted

        with self._lock:
            if self.read_only:
                raise ChangeError(
                    "these are your own changes, already in the working tree",
                    "commit the accepted hunks instead",
                )
            return write_accepted(self, self._files, snapshot)

    def write_review_edits(self, snapshot: bool = True) -> WriteReport:
        """Put the hunks edited in a review of your own changes on disk; see `writeback`.

        Only files still byte-identical to what the review loaded are written (atomically,
        after a safety snapshot); the others are left alone and reported as conflicts.
        """
        from agent.changes.writeback import write_review_edits

        with self._lock:
            if not self.read_only:
                raise ChangeError(
                    "only a review of your own changes writes its edits back",
                    "use write_accepted for proposed changes",
                )
            return write_review_edits(self, self._edited, snapshot)

    # -- constructors ---------------------------------------------------------------------

    @classmethod
    def from_patch(
        cls, repo: Path, patch_text: str | bytes, deny_globs: Sequence[str] = ()
    ) -> ChangeSet:
        """A change set holding a unified diff's hunks (numbered as in the patch)."""
        from agent.changes.patch import load_patch

        changes = cls(repo, deny_globs)
        load_patch(changes, patch_text)
        return changes

    @classmethod
    def from_worktree(cls, repo: Path, deny_globs: Sequence[str] = ()) -> ChangeSet:
        """Review the user's uncommitted changes: base = HEAD, proposal = the working tree."""
        from agent.changes.worktree import load_worktree

        changes = cls(repo, deny_globs)
        load_worktree(changes)
        changes.read_only = True
        return changes
