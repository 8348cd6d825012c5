"""Bring the parse cache up to date with the work tree, parsing changed files in parallel."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from repomap.cache import ParseCache, blob_digest
from repomap.discovery import SourceFile, discover, looks_generated
from repomap.extract import extract_plain
from repomap.languages import parser, tags_query
from repomap.payload import pack

CHUNK = 48
# Below this many files a pool costs more than it saves.
POOL_THRESHOLD = 64


@dataclass(frozen=True, slots=True)
class Index:
    """The parsed repository: mapped paths (sorted) with their blob ids."""

    paths: tuple[str, ...]
    digests: tuple[str, ...]
    fresh: dict[str, bytes]  # digest -> payload (repomap.payload) parsed by this build
    parsed: int  # how many files this build had to parse

    @property
    def generation(self) -> str:
        """A key that changes whenever any file's content, or the file set, changes."""
        digest = hashlib.sha1()
        for path, blob in zip(self.paths, self.digests, strict=True):
            digest.update(path.encode("utf-8", "surrogateescape") + b"\0" + blob.encode())
        return digest.hexdigest()


def _parse_one(root: str, path: str, language: str) -> tuple[str, str, bytes | None]:
    """(path, digest, tags payload or None when skipped) for one file, read now.

    Workers pack the tags themselves: the cache stores exactly these bytes, and sending one
    bytes object back costs far less than pickling thousands of small tuples.
    """
    try:
        with open(os.path.join(root, path), "rb") as handle:
            source = handle.read()
    except OSError:
        return path, "", None
    digest = blob_digest(source)
    if looks_generated(source):
        return path, digest, None
    return path, digest, pack(extract_plain(language, source))


def _parse_chunk(
    root: str, items: Sequence[tuple[str, str]]
) -> list[tuple[str, str, bytes | None]]:
    return [_parse_one(root, path, language) for path, language in items]


def _prepare_languages(languages: set[str]) -> None:
    """Load grammars and compile queries before forking, so workers inherit them ready."""
    for language in sorted(languages):
        tags_query(language)
        parser(language)


Parsed = list[tuple[str, str, bytes | None]]  # (path, digest, payload or None: skipped)


def _parse_all(
    root: Path,
    todo: list[SourceFile],
    workers: int,
    consume: Callable[[Parsed], None],
    while_parsing: Callable[[], None] | None,
) -> None:
    """Parse `todo`, handing results to `consume` in path order, a chunk at a time."""
    items = [(f.path, f.language) for f in todo]
    total = len(items)
    chunks = [items[start : start + CHUNK] for start in range(0, total, CHUNK)]
    # Forking is the cheap way to start workers and is safe here: CPython holds the import lock
    # across fork, and workers only parse with grammars and queries loaded beforehand. Where
    # fork is unavailable, parse in this process rather than re-import the caller's __main__.
    if (
        workers <= 1
        or total < POOL_THRESHOLD
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for chunk in chunks:
            consume(_parse_chunk(str(root), chunk))
        return
    _prepare_languages({language for _, language in items})
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunk_results = pool.map(_parse_chunk, [str(root)] * len(chunks), chunks)
        if while_parsing is not None:  # this process would only wait for the workers
            while_parsing()
        # Whatever the caller does with a chunk overlaps with the workers parsing later ones.
        for chunk_result in chunk_results:
            consume(chunk_result)


def build_index(
    root: Path,
    cache: ParseCache,
    max_file_bytes: int,
    workers: int | None,
    progress: Callable[[int, int], None] | None = None,
    while_parsing: Callable[[], None] | None = None,
    listed: Callable[[], list[str]] | None = None,
    on_parsed: Callable[[list[tuple[str, bytes]]], None] | None = None,
) -> Index:
    """Discover files, reuse cached tags by stat key and blob id, parse the rest, store them.

    `while_parsing` runs in this process while parse workers are busy (never when parsing here);
    `listed` returns `git_files(root)` when the caller started listing them earlier;
    `on_parsed([(digest, payload), ...])` sees newly parsed files' tags as soon as they arrive,
    while later files are still being parsed.
    """
    files = discover(root, max_file_bytes, listed() if listed is not None else None)
    known = cache.stat_rows()
    digest_of: dict[str, str] = {}
    unsure: list[SourceFile] = []
    for item in files:
        row = known.get(item.path)
        if row is not None and row[0] == item.size and row[1] == item.mtime_ns:
            digest_of[item.path] = row[2]
        else:
            unsure.append(item)
    # A changed stat does not mean changed content (checkouts, touch): look the blob id up first.
    fresh_digests: dict[str, str] = {}
    if not cache.has_tags():  # nothing to reuse: workers hash what they parse anyway
        unsure_todo, unsure = unsure, []
    else:
        unsure_todo = []
    for item in unsure:
        try:
            with open(os.path.join(root, item.path), "rb") as handle:
                fresh_digests[item.path] = blob_digest(handle.read())
        except OSError:
            continue
    present = cache.known_digests(set(fresh_digests.values()))
    todo: list[SourceFile] = unsure_todo
    for item in unsure:
        digest = fresh_digests.get(item.path)
        if digest is not None and digest in present:
            digest_of[item.path] = digest
        elif digest is not None:
            todo.append(item)
    fresh: dict[str, bytes] = {}  # digest -> payload parsed by this build
    done = 0

    def consume(chunk: Parsed) -> None:
        nonlocal done
        cache.put_tags((digest, plain) for _, digest, plain in chunk if digest)
        # Written while workers still parse, rather than all at once after the last chunk.
        cache.commit()
        new = []
        for path, digest, payload in chunk:
            if digest:
                digest_of[path] = digest
                if payload is not None and digest not in fresh:
                    fresh[digest] = payload
                    new.append((digest, payload))
        if on_parsed is not None and new:
            on_parsed(new)
        done += len(chunk)
        if progress is not None:
            progress(done, len(todo))

    _parse_all(root, todo, workers or os.cpu_count() or 1, consume, while_parsing)
    stat_rows = {
        f.path: (f.size, f.mtime_ns, digest_of[f.path]) for f in files if f.path in digest_of
    }
    if stat_rows != known:
        cache.replace_stat_rows(stat_rows, known)
    cache.commit()
    skipped = cache.skipped_digests()
    paths = tuple(path for path in sorted(stat_rows) if stat_rows[path][2] not in skipped)
    if progress is not None and not todo:
        progress(len(files), len(files))
    return Index(paths, tuple(stat_rows[p][2] for p in paths), fresh, len(todo))
