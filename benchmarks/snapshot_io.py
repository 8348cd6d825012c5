"""Time writing and loading the repo map's ranker snapshot (`.git/hunkwise/ranker.snapshot`).

Usage: python benchmarks/snapshot_io.py REPO [ROUNDS]
Prints the snapshot's size and the best-of-ROUNDS time of each step.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from hunkwise.settings import Settings
from repomap import open_repo_map
from repomap.features import Features
from repomap.rank import Ranker


def best(rounds: int, step) -> tuple[float, object]:
    """Best wall time of `step()` over `rounds` runs, and its last result."""
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    repo = Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    repo_map = open_repo_map(repo, Settings().repomap, None)
    repo_map.build()
    ranker, features, index = repo_map._ranker, repo_map._features, repo_map.index
    assert ranker is not None and features is not None and index is not None
    digests = index.digests

    save_features, state = best(rounds, lambda: features.state_bytes(digests))
    save_ranker, data = best(rounds, lambda: ranker.to_bytes(state))
    split, parts = best(rounds, lambda: Ranker.split_snapshot(memoryview(data)))
    load_ranker, _ = best(rounds, lambda: Ranker.from_bytes(parts[0]))
    load_features, _ = best(rounds, lambda: Features.from_state_bytes(parts[1]))
    print(f"repository: {repo} ({len(index.paths)} files)")
    print(f"snapshot size: {len(data) / 1e6:.2f} MB")
    print(f"save: features {save_features * 1e3:.1f} ms, ranker {save_ranker * 1e3:.1f} ms")
    print(f"load: split {split * 1e3:.1f} ms, ranker {load_ranker * 1e3:.1f} ms, "
          f"features {load_features * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
