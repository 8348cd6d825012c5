"""Review handlers: the diff pane's messages become calls on the change set; tests and commit."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual import on

from agent.changes.model import Decision, HunkView
from hunkwise.errors import HunkwiseError
from tui.base import AppBase
from tui.screens.commit import CommitChoice, CommitScreen
from tui.screens.prompts import EditHunkScreen, ReasonScreen
from tui.widgets.diff_view import DiffView


def new_side(hunk: HunkView) -> str:
    """The hunk's proposed text (context and added lines), as the edit prompt shows it."""
    return "".join(f"{line.text}\n" for line in hunk.lines if line.kind != "-")


class ReviewMixin(AppBase):
    """Turns review keys into ChangeSet calls; every failure becomes a notification."""

    def _apply(self, call: str, *args: object) -> bool:
        changes = self.session.changes
        if changes is None:
            self.notify("nothing to review yet", severity="warning")
            return False
        try:
            getattr(changes, call)(*args)
        except HunkwiseError as exc:
            self.show_error(exc)
            return False
        self.refresh_diff()
        return True

    @on(DiffView.Changed)
    def _changed(self) -> None:
        # The view re-rendered itself and the pane its file list; only the test pane's
        # "is this the accepted state?" flag may change (and costs a digest, so only if shown).
        pane = self.tests_pane
        if pane.report is not None:
            stale = not self.session.tests_current()
            if stale != pane.stale:
                pane.stale = stale
                pane.report = pane.report

    @on(DiffView.ReasonRequested)
    def _reason(self, event: DiffView.ReasonRequested) -> None:
        hunk = self.diff_view.current_hunk
        header = f"{hunk.path} {hunk.header}" if hunk else event.hunk_id

        def done(reason: str | None) -> None:
            if reason is not None and self._apply(
                "decide", event.hunk_id, Decision.REJECTED, reason
            ):
                self.diff_view.advance()

        self.push_screen(ReasonScreen(header), done)

    @on(DiffView.EditRequested)
    def _edit(self, event: DiffView.EditRequested) -> None:
        hunk = self.diff_view.current_hunk
        if hunk is None or hunk.id != event.hunk_id:
            return
        if event.external:
            edited = self._edit_in_editor(hunk)
            if edited is not None:
                self._apply("edit_hunk", hunk.id, edited)
            return

        def done(text: str | None) -> None:
            if text is not None:
                self._apply("edit_hunk", hunk.id, text)

        self.push_screen(EditHunkScreen(f"{hunk.path} {hunk.header}", new_side(hunk)), done)

    def _edit_in_editor(self, hunk: HunkView) -> str | None:
        """Suspend the app, open $EDITOR on the hunk's new side, return the edited text."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        suffix = Path(hunk.path).suffix
        with tempfile.TemporaryDirectory(prefix="hunkwise-edit-") as tmp:
            path = Path(tmp) / f"hunk{suffix}"
            path.write_text(new_side(hunk))
            try:
                with self.suspend():
                    code = subprocess.call([*shlex.split(editor), str(path)])
            except Exception as exc:  # SuspendNotSupported in headless runs, OSError for editors
                self.notify(f"could not run {editor}: {exc}", severity="error")
                return None
            if code != 0:
                self.notify(
                    f"{editor} exited with {code}; the hunk is unchanged", severity="warning"
                )
                return None
            return path.read_text()

    # -- tests and commit -------------------------------------------------------------------
    def action_run_tests(self) -> None:
        session = self.session
        self.tests_pane.start(["…"], "starting sandbox")
        self.run_tests(session.accepted_overlay(), session.digest(), self.cancel_tests())

    def action_commit(self) -> None:
        session = self.session
        if not session.accepted_counts():
            self.notify("nothing accepted to commit — accept hunks with y", severity="warning")
            return
        self.notify("writing a commit message…", timeout=2)
        self.write_commit_message(
            session.changes.patch_text(accepted_only=True), session.fallback_message()
        )

    def open_commit_dialog(self, message: str) -> None:
        """Show the approval dialog; on confirmation commit exactly the accepted state."""
        session = self.session
        plan_digest = session.digest()

        def done(choice: CommitChoice | None) -> None:
            if choice is None:
                return
            if session.digest() != plan_digest:
                self.notify("decisions changed while the dialog was open", severity="error")
                return
            self.commit(session.commit_request(choice.message, choice.override))

        self.push_screen(CommitScreen(session.plan(message)), done)

    def action_undo_commit(self) -> None:
        self.undo_commit()
