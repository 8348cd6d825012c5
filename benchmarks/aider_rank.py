#!/usr/bin/env python3
"""Run inside a venv with aider-chat: aider's RepoMap file ranking, served over stdin/stdout.

Each input line is JSON {"repo": DIR, "query": TEXT[, "tokens": N, "render": bool]}; each output
line is JSON {"files": [...ranked...], "seconds": S[, "tokens": N]}. Mentions are derived from
the query exactly as aider's coder does (get_file_mentions, get_ident_mentions,
get_ident_filename_matches). Used by localization.py and repomap_speed.py; never imported by
hunkwise (aider is not a dependency).
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path


def tracked_files(repo: str) -> list[str]:
    out = subprocess.run(
        ["git", "-c", "safe.directory=*", "ls-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def file_mentions(text: str, rel_fnames: list[str]) -> set[str]:
    """aider's Coder.get_file_mentions (nothing in the chat)."""
    words = {w.rstrip(",.!;:?").strip("\"'`*_") for w in text.split()}
    words = {w.replace("\\", "/") for w in words}
    mentioned: set[str] = set()
    by_base: dict[str, list[str]] = defaultdict(list)
    for rel in rel_fnames:
        if rel in words:
            mentioned.add(rel)
        base = os.path.basename(rel)
        if "/" in base or "." in base or "_" in base or "-" in base:
            by_base[base].append(rel)
    for base, rels in by_base.items():
        if len(rels) == 1 and base in words:
            mentioned.add(rels[0])
    return mentioned


def ident_filename_matches(idents: set[str], rel_fnames: list[str]) -> set[str]:
    """aider's Coder.get_ident_filename_matches."""
    stems: dict[str, set[str]] = defaultdict(set)
    for rel in rel_fnames:
        stem = Path(rel).stem.lower()
        if len(stem) >= 5:
            stems[stem].add(rel)
    found: set[str] = set()
    for ident in idents:
        if len(ident) >= 5:
            found |= stems.get(ident.lower(), set())
    return found


MAPS: dict[str, object] = {}


def rank(request: dict) -> dict:
    from aider.io import InputOutput
    from aider.repomap import RepoMap

    started = time.perf_counter()
    repo = os.path.realpath(request["repo"])
    rel_fnames = tracked_files(repo)
    text = request["query"]
    idents = set(re.split(r"\W+", text))
    mentioned = file_mentions(text, rel_fnames) | ident_filename_matches(idents, rel_fnames)
    abs_files = [os.path.join(repo, rel) for rel in rel_fnames]
    repo_map = RepoMap(
        map_tokens=request.get("tokens", 1024), root=repo, io=InputOutput(pretty=False, yes=True)
    )
    result: dict = {}
    if request.get("render"):
        from aider.models import Model

        repo_map.main_model = Model("gpt-4o")
        text_map = repo_map.get_repo_map(set(), set(abs_files), mentioned, idents) or ""
        result["tokens"] = repo_map.token_count(text_map)
    tags = repo_map.get_ranked_tags([], abs_files, mentioned, idents)
    ordered: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        name = tag[0]
        if name not in seen:
            seen.add(name)
            ordered.append(name)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.update(files=ordered, seconds=time.perf_counter() - started, rss_mb=rss_mb)
    return result


def main() -> None:
    answers = sys.stdout
    sys.stdout = sys.stderr  # aider prints progress and warnings; keep the protocol clean
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(rank(json.loads(line))), file=answers, flush=True)


if __name__ == "__main__":
    main()
