#!/usr/bin/env python3
"""File localization on SWE-bench Lite: where does the repo map rank the file the real fix changed?

usage: localization.py [--data FILE] [--work DIR] [--limit N] [--repo NAME]
                       [--aider-python PATH] [--aider-every K] [--out FILE]

For each instance the repository is checked out at its base commit (a shared clone per project
under --work, so consecutive checkouts only rewrite what differs), the map ranks every file for
the issue text, and the rank of the gold file (the one `patch` modifies) is recorded. Printed:
recall@1/5/10 and MRR, overall and per repository, for
  - hunkwise: the map's `files` ranking (graph + BM25 over identifiers/paths/docstrings),
  - bm25: Okapi BM25 over the full contents of the repository's .py files (the SWE-bench
    paper's retrieval baseline), computed here,
  - aider (with --aider-python): aider's RepoMap ranking personalised by the issue text,
    run in a separate venv through aider_rank.py; --aider-every K evaluates every K-th
    instance only (aider is slow), and the subset is printed with its hunkwise/bm25 figures.
Nothing is tuned per instance: all of them run with the same settings.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from repomap import open_repo_map  # noqa: E402
from repomap.protocol import MapRequest  # noqa: E402
from repomap.settings import RepoMapSettings  # noqa: E402

DATA = Path("/work/shared/bench/swebench_lite_dev.jsonl")
MIRRORS = Path(os.environ.get("MIRRORS", "/work/.mirror"))
MIRROR_OF = {
    "django/django": "swe-bench+django__django",
    "matplotlib/matplotlib": "swe-bench+matplotlib__matplotlib",
    "scikit-learn/scikit-learn": "swe-bench+scikit-learn__scikit-learn",
}
KS = (1, 5, 10)
TOKEN = re.compile(r"[A-Za-z0-9_]+")
# A common English stop-word list (as in Lucene's default analyzer).
BM25_STOP = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split()
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "safe.directory=*", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def checkout(work: Path, repo_name: str, commit: str) -> Path:
    """The project's shared clone, checked out at `commit`."""
    clone = work / "clones" / repo_name.replace("/", "__")
    if not clone.exists():
        mirror = MIRRORS / MIRROR_OF.get(repo_name, repo_name.replace("/", "+")) / "repo"
        clone.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "git",
                "-c",
                "safe.directory=*",
                "clone",
                "-q",
                "--no-checkout",
                "--shared",
                str(mirror),
                str(clone),
            ],
            check=True,
        )
    try:
        git(clone, "checkout", "-q", "-f", commit)
    except subprocess.CalledProcessError:
        # The snapshots leave out some large blobs (data files): check out everything else.
        patterns = ["/*", *(f"!/{path}" for path in missing_blobs(clone, commit))]
        git(clone, "sparse-checkout", "set", "--no-cone", *patterns)
        git(clone, "checkout", "-q", "-f", commit)
    git(clone, "clean", "-fdq", "-e", ".aider*")
    return clone


def missing_blobs(clone: Path, commit: str) -> list[str]:
    """Paths at `commit` whose blobs the snapshot does not hold."""
    listing = git(clone, "ls-tree", "-r", "-z", commit).split("\0")
    entries = [item.split("\t", 1) for item in listing if item]
    blobs = [(meta.split()[2], path) for meta, path in entries if meta.split()[1] == "blob"]
    checked = subprocess.run(
        ["git", "-c", "safe.directory=*", "cat-file", "--batch-check"],
        cwd=clone,
        input="\n".join(sha for sha, _ in blobs) + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [
        path for (_, path), line in zip(blobs, checked, strict=True) if line.endswith("missing")
    ]


def gold_files(patch: str) -> list[str]:
    return sorted(set(re.findall(r"^diff --git a/(\S+) b/", patch, flags=re.M)))


class ContentBM25:
    """Okapi BM25 (k1=0.9, b=0.4: Lucene/pyserini defaults) over whole .py files."""

    def __init__(self) -> None:
        self.tokens_of_blob: dict[str, Counter[str]] = {}

    def rank(self, repo: Path, query: str) -> list[str]:
        listing = git(repo, "ls-files", "-s", "--", "*.py")
        docs: list[tuple[str, Counter[str]]] = []
        for line in listing.splitlines():
            meta, path = line.split("\t", 1)
            blob = meta.split()[1]
            counts = self.tokens_of_blob.get(blob)
            if counts is None:
                try:
                    text = (repo / path).read_text("utf-8", errors="replace")
                except OSError:
                    continue
                counts = Counter(
                    w for w in (t.lower() for t in TOKEN.findall(text)) if w not in BM25_STOP
                )
                self.tokens_of_blob[blob] = counts
            docs.append((path, counts))
        k1, b = 0.9, 0.4
        n = len(docs)
        lengths = [sum(c.values()) for _, c in docs]
        average = sum(lengths) / max(n, 1)
        query_terms = {w for w in (t.lower() for t in TOKEN.findall(query)) if w not in BM25_STOP}
        df = Counter()
        for _, counts in docs:
            df.update(t for t in query_terms if t in counts)
        scores = []
        for (path, counts), length in zip(docs, lengths, strict=True):
            score = 0.0
            for term in query_terms:
                tf = counts.get(term, 0)
                if tf:
                    idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                    score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
            scores.append((-score, path))
        return [path for _, path in sorted(scores)]


class AiderRanker:
    """aider's RepoMap in its own venv, one long-lived helper process."""

    def __init__(self, python: str, memory_gb: float, timeout: float) -> None:
        helper = Path(__file__).with_name("aider_rank.py")
        self.timeout = timeout
        command = [python, str(helper)]
        if memory_gb:
            command = ["prlimit", f"--as={int(memory_gb * 2**30)}", *command]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def rank(self, repo: Path, query: str) -> tuple[list[str] | None, float]:
        started = time.perf_counter()
        assert self.process.stdin and self.process.stdout
        try:
            self.process.stdin.write(json.dumps({"repo": str(repo), "query": query}) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except BrokenPipeError:
            return None, time.perf_counter() - started
        if not line:
            return None, time.perf_counter() - started
        return json.loads(line)["files"], time.perf_counter() - started

    def close(self) -> None:
        try:
            if self.process.stdin:
                self.process.stdin.close()
        except BrokenPipeError:
            pass
        self.process.wait(timeout=30)


def rank_of(ranking: list[str] | tuple[str, ...] | None, gold: list[str]) -> float:
    if ranking is None:
        return math.inf
    positions = {path: i + 1 for i, path in enumerate(ranking)}
    return min((positions.get(g, math.inf) for g in gold), default=math.inf)


def summarise(ranks: list[float]) -> str:
    n = len(ranks)
    if not n:
        return "n=0"
    recalls = "  ".join(f"R@{k} {sum(r <= k for r in ranks) / n:6.1%}" for k in KS)
    mrr = sum(0.0 if math.isinf(r) else 1.0 / r for r in ranks) / n
    return f"n={n:3d}  {recalls}  MRR {mrr:.3f}"


def report(rows: list[dict], methods: list[str], title: str) -> None:
    print(f"\n== {title} ==")
    for method in methods:
        ranks = [row[method] for row in rows if method in row]
        print(f"{method:9s} all          {summarise(ranks)}")
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_repo[row["repo"]].append(row)
    for repo in sorted(by_repo):
        for method in methods:
            ranks = [row[method] for row in by_repo[repo] if method in row]
            if ranks:
                print(f"{method:9s} {repo:28s} {summarise(ranks)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--work", type=Path, default=Path("/work/bench-data/localization"))
    parser.add_argument("--limit", type=int, default=0, help="first N instances only")
    parser.add_argument("--repo", default=None, help="only this repository (owner/name)")
    parser.add_argument("--tokens", type=int, default=1024, help="map budget (text unused)")
    parser.add_argument("--aider-python", default=None, help="python of a venv with aider-chat")
    parser.add_argument("--aider-every", type=int, default=1, help="aider on every K-th only")
    parser.add_argument("--aider-memory-gb", type=float, default=4.0)
    parser.add_argument("--out", type=Path, default=None, help="write per-instance JSON here")
    args = parser.parse_args()

    cases = [json.loads(line) for line in args.data.read_text().splitlines() if line.strip()]
    if args.repo:
        cases = [c for c in cases if c["repo"] == args.repo]
    # Grouped by repository so the shared clone and parse cache are reused between checkouts.
    cases.sort(key=lambda c: (c["repo"], c["instance_id"]))
    if args.limit:
        cases = cases[: args.limit]
    bm25 = ContentBM25()
    aider = None
    if args.aider_python:
        aider = AiderRanker(args.aider_python, args.aider_memory_gb, timeout=600)
    rows: list[dict] = []
    started = time.perf_counter()
    for number, case in enumerate(cases):
        repo = checkout(args.work, case["repo"], case["base_commit"])
        gold = gold_files(case["patch"])
        settings = RepoMapSettings(cache_dir=args.work / "cache" / case["repo"].replace("/", "__"))
        t0 = time.perf_counter()
        repo_map = open_repo_map(repo, settings)
        repo_map.build()
        result = repo_map.render(
            MapRequest(query=case["problem_statement"], max_tokens=args.tokens)
        )
        ours_seconds = time.perf_counter() - t0
        row = {
            "instance_id": case["instance_id"],
            "repo": case["repo"],
            "gold": gold,
            "hunkwise": rank_of(result.files, gold),
            "bm25": rank_of(bm25.rank(repo, case["problem_statement"]), gold),
            "hunkwise_seconds": round(ours_seconds, 3),
        }
        if aider is not None and number % args.aider_every == 0:
            ranking, seconds = aider.rank(repo, case["problem_statement"])
            row["aider"] = rank_of(ranking, gold)
            row["aider_seconds"] = round(seconds, 3)
            row["aider_finished"] = ranking is not None
        rows.append(row)
        print(
            f"[{number + 1}/{len(cases)}] {case['instance_id']}: hunkwise {row['hunkwise']} "
            f"bm25 {row['bm25']}"
            + (f" aider {row['aider']}" if "aider" in row else "")
            + f" ({ours_seconds:.1f}s)",
            file=sys.stderr,
            flush=True,
        )
    if aider is not None:
        aider.close()
    print(
        f"SWE-bench Lite dev localization: {len(rows)} instances, "
        f"{time.perf_counter() - started:.0f}s, map budget {args.tokens} tokens"
    )
    report(rows, ["hunkwise", "bm25"], "all instances")
    if any("aider" in row for row in rows):
        subset = [row for row in rows if "aider" in row]
        unfinished = sum(not row["aider_finished"] for row in subset)
        report(
            subset,
            ["hunkwise", "bm25", "aider"],
            f"aider subset (every {args.aider_every}th instance; {unfinished} did not finish)",
        )
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1, default=str))


if __name__ == "__main__":
    main()
