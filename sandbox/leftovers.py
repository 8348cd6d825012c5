"""Remove what a killed hunkwise process left on the host: temp workspaces and empty cgroups."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from sandbox.cgroups import CGROUP_ROOT

# Temp directories and cgroups are named `hunkwise-<kind>-<owner pid>-...`.
OWNED = re.compile(r"^hunkwise-(?:ws|session|cg)-(\d+)-")


def _owner_alive(name: str) -> bool:
    match = OWNED.match(name)
    if match is None:
        return True  # not ours to judge
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_leftovers(tmp_dir: Path | None = None) -> list[Path]:
    """Delete workspaces and cgroups whose owner process is gone; returns what was removed."""
    removed: list[Path] = []
    tmp = tmp_dir or Path(tempfile.gettempdir())
    try:
        entries = list(tmp.iterdir())
    except OSError:
        entries = []
    for entry in entries:
        if OWNED.match(entry.name) and not _owner_alive(entry.name) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    for controller in ("", "pids", "memory", "cpu"):
        base = CGROUP_ROOT / controller if controller else CGROUP_ROOT
        try:
            groups = [g for g in base.iterdir() if g.is_dir() and OWNED.match(g.name)]
        except OSError:
            continue
        for group in groups:
            if not _owner_alive(group.name):
                try:
                    group.rmdir()  # only succeeds when empty; a live run keeps it busy
                    removed.append(group)
                except OSError:
                    pass
    return removed
