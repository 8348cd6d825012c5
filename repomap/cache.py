"""The SQLite parse cache: stat keys to git blob ids, and blob ids to extracted tags."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from hunkwise.gitrun import run_git
from repomap.errors import RepoMapError

# Bump when the extracted data changes shape; the query texts are hashed in automatically.
EXTRACT_VERSION = 4
CACHE_FILE = "repomap.sqlite3"
# The ranker snapshot is one large blob rewritten whole: a plain file replaced atomically costs
# a fraction of a SQLite write (no WAL copy, no checkpoint) and reads back in one call.
SNAPSHOT_FILE = "ranker.snapshot"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, digest TEXT);
CREATE TABLE IF NOT EXISTS tags (digest TEXT PRIMARY KEY, payload BLOB);
CREATE TABLE IF NOT EXISTS token_counts (key TEXT PRIMARY KEY, count INTEGER);
"""


def blob_digest(content: bytes) -> str:
    """The git blob id of `content` (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def extractor_fingerprint() -> str:
    """A hash of everything that decides the extracted tags: the queries and EXTRACT_VERSION."""
    digest = hashlib.sha1(str(EXTRACT_VERSION).encode())
    for entry in sorted(resources.files("repomap.queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".scm"):
            digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()


def default_cache_dir(repo: Path) -> Path:
    """`<git dir>/hunkwise/`: beside the repository, never inside its working tree."""
    dot_git = repo / ".git"
    if dot_git.is_dir():
        return dot_git / "hunkwise"
    completed = run_git(["rev-parse", "--absolute-git-dir"], repo)
    if completed.returncode != 0:
        raise RepoMapError(
            f"{repo} is not a git repository", "run inside a git repository or `git init` it"
        )
    return Path(os.fsdecode(completed.stdout.strip())) / "hunkwise"


class ParseCache:
    """Stat rows and content-keyed tags, stored in one SQLite file."""

    def __init__(self, connection: sqlite3.Connection, directory: Path) -> None:
        self.db = connection
        self.directory = directory

    def stat_rows(self) -> dict[str, tuple[int, int, str]]:
        """path -> (size, mtime_ns, digest) as recorded by the last build."""
        rows = self.db.execute("SELECT path, size, mtime_ns, digest FROM files")
        return {path: (size, mtime, digest) for path, size, mtime, digest in rows}

    def payloads(self, digests: Iterable[str]) -> dict[str, bytes | None]:
        """digest -> tags payload (None: skipped as generated) for the digests present."""
        found: dict[str, bytes | None] = {}
        wanted = list(digests)
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT digest, payload FROM tags WHERE digest IN ({marks})", chunk
            )
            found.update(rows)
        return found

    def known_digests(self, digests: Iterable[str]) -> set[str]:
        """Which of `digests` already have tags stored (skipped files included)."""
        known: set[str] = set()
        wanted = list(digests)
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT digest FROM tags WHERE digest IN ({marks})", chunk)
            known.update(row[0] for row in rows)
        return known

    def has_tags(self) -> bool:
        """Whether any file's tags are stored (false on a new or just-cleared cache)."""
        return self.db.execute("SELECT 1 FROM tags LIMIT 1").fetchone() is not None

    def skipped_digests(self) -> set[str]:
        """Blob ids whose content was judged generated, minified or binary."""
        return {row[0] for row in self.db.execute("SELECT digest FROM tags WHERE payload IS NULL")}

    def put_tags(self, items: Iterable[tuple[str, bytes | None]]) -> None:
        """Store tags payloads (None: skipped as generated) by digest."""
        self.db.executemany("INSERT OR REPLACE INTO tags (digest, payload) VALUES (?, ?)", items)

    def replace_stat_rows(
        self, rows: dict[str, tuple[int, int, str]], old: dict[str, tuple[int, int, str]]
    ) -> None:
        """Make the files table exactly `rows`, given that it holds `old` (writes the changes)."""
        self.db.executemany(
            "DELETE FROM files WHERE path = ?", ((path,) for path in sorted(old.keys() - rows))
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, digest) VALUES (?, ?, ?, ?)",
            ((path, *row) for path, row in sorted(rows.items()) if old.get(path) != row),
        )

    def token_count(self, key: str) -> int | None:
        """A stored token count (key: tokenizer and text hashed), or None."""
        row = self.db.execute("SELECT count FROM token_counts WHERE key = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def put_token_count(self, key: str, count: int) -> None:
        """Store a token count."""
        self.db.execute(
            "INSERT OR REPLACE INTO token_counts (key, count) VALUES (?, ?)", (key, count)
        )

    def read_snapshot(self) -> bytes | None:
        """The ranker snapshot as last written, or None."""
        try:
            return (self.directory / SNAPSHOT_FILE).read_bytes()
        except OSError:
            return None

    def write_snapshot(self, data: bytes) -> None:
        """Replace the ranker snapshot atomically (readers see the old or the new one whole)."""
        target = self.directory / SNAPSHOT_FILE
        partial = target.with_name(f"{SNAPSHOT_FILE}.{os.getpid()}.{threading.get_ident()}")
        try:
            partial.write_bytes(data)
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise RepoMapError(
                f"cannot write the map snapshot {target}: {exc.strerror}",
                "free some disk space, or set repomap.cache_dir to a writable directory",
            ) from exc

    def commit(self) -> None:
        """Make the writes so far durable."""
        self.db.commit()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30, isolation_level="DEFERRED")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.executescript(SCHEMA)
    fingerprint = extractor_fingerprint()
    row = connection.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    if row is None or row[0] != fingerprint:
        # The snapshot holds features of the old extractor's tags: it goes with them.
        path.with_name(SNAPSHOT_FILE).unlink(missing_ok=True)
        connection.executescript(
            "DELETE FROM files; DELETE FROM tags; DELETE FROM meta; DELETE FROM token_counts;"
        )
        connection.execute(
            "INSERT INTO meta (key, value) VALUES ('fingerprint', ?)", (fingerprint,)
        )
        connection.commit()
    elif connection.execute("SELECT 1 FROM meta WHERE key != 'fingerprint' LIMIT 1").fetchone():
        # Earlier versions kept the ranker snapshot here (megabytes): its pages are freed for
        # tags to reuse.
        connection.execute("DELETE FROM meta WHERE key != 'fingerprint'")
        connection.commit()
    return connection


@contextmanager
def open_cache(directory: Path) -> Iterator[ParseCache]:
    """Open (creating, or recreating when unreadable) the cache in `directory`."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RepoMapError(
            f"cannot create the map cache directory {directory}: {exc.strerror}",
            "set repomap.cache_dir to a writable directory",
        ) from exc
    path = directory / CACHE_FILE
    try:
        connection = _connect(path)
    except sqlite3.DatabaseError:
        # A cache is only a cache: a corrupt one is rebuilt, never fatal.
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        connection = _connect(path)
    try:
        yield ParseCache(connection, directory)
    except sqlite3.Error as exc:
        raise RepoMapError(
            f"the map cache {path} failed: {exc}",
            f"another hunkwise may be writing it; retry, or delete {directory} to rebuild it",
        ) from exc
    finally:
        connection.close()
