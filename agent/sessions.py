"""Sessions in SQLite outside the work tree: transcript, events, audit trail, tests, costs."""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from hunkwise.errors import ConfigError

if TYPE_CHECKING:
    from hunkwise.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, created REAL, updated REAL, repo TEXT, task TEXT, model TEXT,
    state TEXT, summary TEXT DEFAULT '', cost_usd REAL DEFAULT 0, tokens INTEGER DEFAULT 0,
    turns INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS messages (
    session_id TEXT, seq INTEGER, body TEXT, PRIMARY KEY (session_id, seq));
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT, ts REAL, type TEXT, body TEXT);
CREATE TABLE IF NOT EXISTS audit (
    session_id TEXT, ts REAL, kind TEXT, name TEXT, detail TEXT, ok INTEGER, result TEXT);
CREATE TABLE IF NOT EXISTS test_runs (
    session_id TEXT, ts REAL, status TEXT, passed INTEGER, failed INTEGER, body TEXT);
CREATE TABLE IF NOT EXISTS decisions (
    session_id TEXT, ts REAL, hunk_id TEXT, path TEXT, decision TEXT, reason TEXT);
CREATE TABLE IF NOT EXISTS pending (
    session_id TEXT, path TEXT, content BLOB, PRIMARY KEY (session_id, path));
CREATE INDEX IF NOT EXISTS events_by_session ON events (session_id);
CREATE INDEX IF NOT EXISTS audit_by_session ON audit (session_id);
"""


class SessionInfo(BaseModel):
    """One row of `hunkwise sessions`."""

    id: str
    created: float
    updated: float
    repo: str
    task: str
    model: str
    state: str
    summary: str = ""
    cost_usd: float = 0.0
    tokens: int = 0
    turns: int = 0


def default_db_path(env: Mapping[str, str] | None = None) -> Path:
    """HUNKWISE_DATA_DIR, else XDG_DATA_HOME/hunkwise, else ~/.local/share/hunkwise."""
    env = os.environ if env is None else env
    if env.get("HUNKWISE_DATA_DIR"):
        return Path(env["HUNKWISE_DATA_DIR"]) / "sessions.db"
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")).expanduser()
                                           / ".local" / "share")
    return Path(base) / "hunkwise" / "sessions.db"


class SessionStore:
    """A connection to the sessions database; use `open_store` to get one."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def create(self, repo: Path, task: str, model: str) -> str:
        """A new session id."""
        session_id = uuid.uuid4().hex[:12]
        now = time.time()
        with self.conn:
            self.conn.execute(
                "INSERT INTO sessions (id, created, updated, repo, task, model, state) "
                "VALUES (?, ?, ?, ?, ?, ?, 'idle')",
                (session_id, now, now, str(repo), task, model),
            )
        return session_id

    def get(self, session_id: str) -> SessionInfo:
        """A session by id or unique id prefix; raises ConfigError if none or ambiguous."""
        rows = self.conn.execute(
            "SELECT * FROM sessions WHERE id LIKE ? ORDER BY created", (session_id + "%",)
        ).fetchall()
        if len(rows) != 1:
            why = "no session" if not rows else f"{len(rows)} sessions"
            raise ConfigError(
                f"{why} matching {session_id!r}", "list them with `hunkwise sessions`"
            )
        return SessionInfo(**dict(rows[0]))

    def list(self, repo: Path | None = None, limit: int = 50) -> list[SessionInfo]:
        """Sessions, newest first, optionally of one repository."""
        query, params = "SELECT * FROM sessions", []
        if repo is not None:
            query, params = query + " WHERE repo = ?", [str(repo)]
        rows = self.conn.execute(query + " ORDER BY updated DESC LIMIT ?", (*params, limit))
        return [SessionInfo(**dict(r)) for r in rows]

    def update(self, session_id: str, **fields: Any) -> None:
        """Set state, summary, cost_usd, tokens or turns."""
        allowed = {"state", "summary", "cost_usd", "tokens", "turns", "model"}
        sets = {k: v for k, v in fields.items() if k in allowed}
        assignments = ", ".join(f"{k} = ?" for k in sets)
        with self.conn:
            self.conn.execute(
                f"UPDATE sessions SET {assignments}, updated = ? WHERE id = ?",
                (*sets.values(), time.time(), session_id),
            )

    def save_messages(self, session_id: str, messages: list[dict[str, Any]]) -> None:
        """Store the transcript (replacing what was there)."""
        with self.conn:
            self.conn.execute("DELETE FROM messages WHERE session_id = ?", (session_id,))
            self.conn.executemany(
                "INSERT INTO messages (session_id, seq, body) VALUES (?, ?, ?)",
                [(session_id, i, json.dumps(m)) for i, m in enumerate(messages)],
            )

    def messages(self, session_id: str) -> list[dict[str, Any]]:
        """The stored transcript."""
        rows = self.conn.execute(
            "SELECT body FROM messages WHERE session_id = ? ORDER BY seq", (session_id,)
        )
        return [json.loads(r[0]) for r in rows]

    def record_event(self, session_id: str, event_type: str, body: str) -> None:
        """Append one event (JSON)."""
        with self.conn:
            self.conn.execute("INSERT INTO events VALUES (?, ?, ?, ?)",
                              (session_id, time.time(), event_type, body))

    def events(self, session_id: str) -> list[tuple[float, str, str]]:
        """(time, type, JSON) of every event of a session."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT ts, type, body FROM events WHERE session_id = ? ORDER BY rowid", (session_id,)
        )]

    def audit(self, session_id: str, kind: str, name: str, detail: Any, ok: bool,
              result: str) -> None:
        """Record what ran, when, with what arguments and result."""
        with self.conn:
            self.conn.execute(
                "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, time.time(), kind, name, json.dumps(detail, default=str),
                 int(ok), result[:2000]),
            )

    def audit_trail(self, session_id: str) -> list[dict[str, Any]]:
        """The audit rows of a session, oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM audit WHERE session_id = ? ORDER BY rowid", (session_id,)
        )
        return [dict(r) for r in rows]

    def record_test_run(self, session_id: str, status: str, passed: int, failed: int,
                        body: str) -> None:
        """Store one test report (JSON)."""
        with self.conn:
            self.conn.execute("INSERT INTO test_runs VALUES (?, ?, ?, ?, ?, ?)",
                              (session_id, time.time(), status, passed, failed, body))

    def save_pending(self, session_id: str, overlay: Mapping[str, bytes | None]) -> None:
        """Store the pending change set (path -> proposed bytes, None = delete) for resume."""
        with self.conn:
            self.conn.execute("DELETE FROM pending WHERE session_id = ?", (session_id,))
            self.conn.executemany("INSERT INTO pending VALUES (?, ?, ?)",
                                  [(session_id, p, c) for p, c in overlay.items()])

    def pending(self, session_id: str) -> dict[str, bytes | None]:
        """The stored pending change set."""
        rows = self.conn.execute(
            "SELECT path, content FROM pending WHERE session_id = ? ORDER BY path", (session_id,)
        )
        return {r[0]: None if r[1] is None else bytes(r[1]) for r in rows}

    def record_decision(self, session_id: str, hunk_id: str, path: str, decision: str,
                        reason: str | None = None) -> None:
        """Store a human decision on a hunk (also part of the audit trail)."""
        with self.conn:
            self.conn.execute("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?)",
                              (session_id, time.time(), hunk_id, path, decision, reason))
        self.audit(session_id, "decision", decision, {"hunk": hunk_id, "path": path}, True,
                   reason or "")


@contextmanager
def open_store(path: Path | None = None) -> Iterator[SessionStore]:
    """Open (creating if needed) the sessions database; closes it on exit."""
    path = path or default_db_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"cannot open the sessions database {path}: {exc}",
                          "set HUNKWISE_DATA_DIR or agent.sessions_db to a writable place") from exc
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        yield SessionStore(conn)
    finally:
        conn.close()


def db_path_for(settings: Settings) -> Path:
    """The sessions database the settings point at (agent.sessions_db, else the default)."""
    return Path(settings.agent.sessions_db) if settings.agent.sessions_db else default_db_path()


def list_sessions(settings: Settings, repo: Path | None = None,
                  limit: int = 50) -> list[SessionInfo]:
    """Recent sessions, newest first (opens and closes the database)."""
    with open_store(db_path_for(settings)) as store:
        return store.list(repo, limit)
