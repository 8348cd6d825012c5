"""Speed of the pending change set and of git commits on realistic sizes; prints figures."""

from __future__ import annotations

import os
import random
import subprocess
import tempfile
import time
from pathlib import Path

from agent.changes import ChangeSet, Decision
from agent.vcs import GitRepo


def timed(label: str, func, repeat: int = 1):
    """Run `func` `repeat` times and print the best wall time in milliseconds."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best * 1000:9.1f} ms")
    return result


def big_file_review(root: Path) -> None:
    """One 10,000-line file with 200 scattered edits: propose, render, decide, compose."""
    rng = random.Random(7)
    lines = [f"    value_{i} = compute({i}, 'text')  # comment {i}\n" for i in range(10_000)]
    (root / "big.py").write_text("".join(lines))
    proposed = list(lines)
    for index in sorted(rng.sample(range(10_000), 200), reverse=True):
        proposed[index] = proposed[index].replace("compute", "compute_fast")
        if index % 3 == 0:
            proposed.insert(index, f"    # added before {index}\n")
    changes = ChangeSet(root)
    timed(
        "propose 10k-line file, 200 edits (diff + hunks)",
        lambda: changes.write("big.py", "".join(proposed)),
        repeat=3,
    )
    views = timed("files() render all hunks", changes.files, repeat=5)
    hunks = [h for v in views for h in v.hunks]
    print(f"{'  hunks in the file':<58} {len(hunks):9d}")
    timed(
        "decide every other hunk",
        lambda: [changes.decide(h.id, Decision.ACCEPTED) for h in hunks[::2]],
    )
    timed("accepted_overlay() (compose)", changes.accepted_overlay, repeat=5)
    timed(
        "edit() in the same file (181 hunks pending)",
        lambda: changes.edit("big.py", "value_5000 = ", "value_5000 =  "),
    )
    fresh = ChangeSet(root)
    timed(
        "edit() one line of an untouched 10k-line file",
        lambda: fresh.edit("big.py", "value_5000 = ", "value_5000 =  "),
    )


def git_commit(root: Path) -> None:
    """A 2,000-file repository: snapshot, exact commit of 3 files, undo."""
    repo = root / "repo"
    repo.mkdir()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    for i in range(2_000):
        folder = repo / f"pkg{i // 100}"
        folder.mkdir(exist_ok=True)
        (folder / f"m{i}.py").write_text(f"def f{i}():\n    return {i}\n")
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.name", "b"],
        ["config", "user.email", "b@x"],
        ["add", "-A"],
        ["commit", "-qm", "init"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    (repo / "pkg0" / "m1.py").write_text("def f1():\n    return 'user'\n")
    git_repo = GitRepo.open(repo)
    timed("snapshot (2,000 files, one user edit)", lambda: git_repo.snapshot("bench"), repeat=3)
    changes = ChangeSet(repo)
    for i in (2, 3, 4):
        changes.edit(f"pkg0/m{i}.py", f"return {i}", f"return {i * 10}")
    changes.decide_all(Decision.ACCEPTED)
    overlay, bases = changes.accepted_overlay(), changes.base_overlay()
    timed("write_accepted (3 files, with snapshot)", changes.write_accepted)
    timed(
        "commit_contents (3 files)",
        lambda: git_repo.commit_contents(overlay, "bench", "bench", bases=bases),
    )
    timed("undo_last", git_repo.undo_last)


def main() -> None:
    """Print every figure."""
    with tempfile.TemporaryDirectory(prefix="hunkwise-bench-") as tmp:
        big_file_review(Path(tmp))
        git_commit(Path(tmp))


if __name__ == "__main__":
    main()
