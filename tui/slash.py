"""What the chat input does: tasks go to the agent, slash commands to their handlers."""

from __future__ import annotations

from textual import on

from hunkwise.errors import ConfigError, HunkwiseError
from tui.base import AppBase
from tui.commands import SLASH_COMMANDS, SlashCommand, parse_slash
from tui.screens.help import HelpScreen
from tui.widgets.chat import ChatPane
from tui.widgets.status import short_model

NEEDS_MODEL = ConfigError(
    "no model is configured, so there is no agent to ask",
    "start with --model NAME, set HUNKWISE_MODEL, or type /model NAME",
)
BUSY_STATES = frozenset({"working", "testing", "reviewing", "planning"})


class SlashMixin(AppBase):
    """Routes what the user typed."""

    @on(ChatPane.Submitted)
    async def _submitted(self, event: ChatPane.Submitted) -> None:
        try:
            command = parse_slash(event.text)
        except HunkwiseError as exc:
            self.show_error(exc)
            return
        if command is None:
            await self.submit_task(event.text)
        else:
            await self.chat.add_user(event.text)
            await self.run_slash_async(command)

    @on(ChatPane.CancelRequested)
    def _cancel(self) -> None:
        if self.status_info.agent_state in BUSY_STATES:
            self.cancel_agent()
            self.notify("stopping the agent…")

    def action_stop_agent(self) -> None:
        """Escape anywhere (the diff and test panes too) stops a running agent."""
        self._cancel()

    def _refuse_while_busy(self) -> bool:
        """Say so and return True while the agent works (a second run would race the first)."""
        if self.status_info.agent_state not in BUSY_STATES:
            return False
        self.notify(
            "the agent is still working\n→ press Escape to stop it, then send again "
            "(↑ in the input brings your message back)",
            severity="warning",
        )
        return True

    async def submit_task(self, task: str, plan: bool | None = None, echo: bool = True) -> None:
        """Send a task to the agent (or explain how to get one); `plan` overrides agent.plan."""
        if self._refuse_while_busy():
            return
        if echo:
            await self.chat.add_user(task)
        if self.session.model is None:
            self.show_error(NEEDS_MODEL)
            return
        if self.session.changes is None:
            self.notify("still loading the repository; try again in a moment", severity="warning")
            return
        self.set_status(agent_state="working")
        self.run_agent(task, plan=plan)

    def run_slash(self, command: SlashCommand) -> None:
        """Run a command from the palette."""
        self.run_worker(self.run_slash_async(command), group="slash", exit_on_error=False)

    async def run_slash_async(self, command: SlashCommand) -> None:
        """Run one slash command."""
        name, arg = command.name, command.argument
        chat = self.chat
        if name == "help":
            self.push_screen(HelpScreen(self.keys))
        elif name == "model":
            await self._switch_model(arg)
        elif name in {"add", "drop"}:
            await self._chat_files(name, arg.split())
        elif name == "map":
            await chat.add_notice(
                "building the repo map…" if arg == "" else f"ranking for {arg!r}…"
            )
            self.build_map(arg)
        elif name == "test":
            self.action_run_tests()
        elif name == "diff":
            if self.session.from_worktree and self.session.undecided() == sum(
                len(f.hunks) for f in self.session.files()
            ):
                self.load_changes(from_worktree=True)  # pick up edits made since (none decided)
            self.diff_view.focus()
            self.diff_view.select_first_undecided()
        elif name == "commit":
            self.action_commit()
        elif name == "undo":
            self.action_undo_commit()
        elif name == "cost":
            info = self.status_info
            await chat.add_notice(
                f"session: {info.tokens:,} tokens · ${info.cost_usd:.4f} · model {info.model}"
            )
        elif name == "clear":
            await chat.clear()
        elif name == "sessions":
            self.list_sessions()
        elif name == "plan":
            await self._plan(arg)
        elif name == "redo":
            await self._redo()
        elif name == "stop":
            if self.status_info.agent_state in BUSY_STATES:
                self._cancel()
            else:
                await chat.add_notice("the agent is not running", "hint")
        else:  # pragma: no cover - parse_slash only yields known names
            raise AssertionError(name)

    async def _switch_model(self, name: str) -> None:
        if not name:
            await self.chat.add_notice(f"model: {self.session.model or 'none'}")
            return
        self.session.use_model(name)
        self._agent = None
        self.set_status(model=short_model(name))
        await self.chat.add_notice(f"model is now {name}")
        if self.session.from_worktree:
            self.load_changes(from_worktree=False)

    async def _chat_files(self, name: str, paths: list[str]) -> None:
        files = self.session.chat_files
        if name == "add":
            missing = [p for p in paths if not (self.repo / p).is_file()]
            if missing or not paths:
                self.show_error(
                    ConfigError(
                        f"no such file: {', '.join(missing)}" if missing else "/add needs a path",
                        "paths are relative to the repository root",
                    )
                )
                return
            files.extend(p for p in paths if p not in files)
        else:
            files[:] = [p for p in files if paths and p not in paths]
        await self.chat.add_notice(f"files in the chat: {', '.join(files) or 'none'}")

    async def _plan(self, task: str) -> None:
        if not task:
            self.show_error(ConfigError("/plan needs a task", "e.g. /plan make login retry"))
            return
        if self._refuse_while_busy():
            return
        # A fresh conversation, because the agent plans only at the start of one; the plan
        # is asked for this task only, not written into the settings for every later one.
        self._agent = None
        await self.submit_task(task, plan=True, echo=False)

    async def _redo(self) -> None:
        changes = self.session.changes
        if self.session.model is None or changes is None:
            self.show_error(NEEDS_MODEL)
            return
        if self._refuse_while_busy():
            return
        rejected = changes.rejections()
        if not rejected:
            self.notify("no rejected hunks to send back", severity="warning")
            return
        await self.chat.add_notice(f"sending {len(rejected)} rejected hunks back to the agent…")
        self.set_status(agent_state="working")
        self.run_agent("", redo=True)


__all__ = ["SLASH_COMMANDS", "SlashMixin"]
