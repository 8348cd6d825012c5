"""Per-run cgroup (v1 or v2) that caps processes and memory even when the caller is root."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


class RunCgroup:
    """A fresh cgroup for one run: pids.max and memory (+swap) limits, OOM count, kill-all."""

    def __init__(self, dirs: dict[str, Path], v2: bool) -> None:
        self.dirs = dirs
        self.v2 = v2

    @classmethod
    def create(cls, pids: int, memory_mb: int, owner_uid: int | None) -> RunCgroup | None:
        """Make the cgroup; None when cgroups cannot be created here (not root, read-only)."""
        name = f"hunkwise-cg-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        limit = str(memory_mb * 1024 * 1024)
        try:
            if (CGROUP_ROOT / "cgroup.controllers").exists():
                path = CGROUP_ROOT / name
                path.mkdir()
                group = cls({"unified": path}, v2=True)
                (path / "pids.max").write_text(str(pids))
                (path / "memory.max").write_text(limit)
                _try_write(path / "memory.swap.max", "0")
            else:
                pids_dir, mem_dir = CGROUP_ROOT / "pids" / name, CGROUP_ROOT / "memory" / name
                pids_dir.mkdir()
                group = cls({"pids": pids_dir}, v2=False)
                mem_dir.mkdir()
                group.dirs["memory"] = mem_dir
                (pids_dir / "pids.max").write_text(str(pids))
                (mem_dir / "memory.limit_in_bytes").write_text(limit)
                # memory+swap equal to memory: the run may not swap its way past the limit.
                _try_write(mem_dir / "memory.memsw.limit_in_bytes", limit)
        except OSError:
            if "group" in locals():
                group.remove()
            return None
        if owner_uid is not None:
            for procs in group.procs_files():
                os.chown(procs, owner_uid, -1)
        return group

    def procs_files(self) -> list[Path]:
        """The files a process writes its pid into to join this cgroup."""
        return [d / "cgroup.procs" for d in self.dirs.values()]

    def oom_killed(self) -> bool:
        """True when the kernel OOM-killed something in this cgroup."""
        name = "memory.events" if self.v2 else "memory.oom_control"
        directory = self.dirs.get("unified" if self.v2 else "memory")
        if directory is None:
            return False
        try:
            for line in (directory / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
        except OSError:
            return False
        return False

    def pids(self) -> set[int]:
        """Processes still in the cgroup."""
        found: set[int] = set()
        for procs in self.procs_files():
            try:
                found.update(int(p) for p in procs.read_text().split())
            except OSError:
                pass
        return found

    def kill_all(self, deadline_s: float = 5.0) -> None:
        """SIGKILL every process in the cgroup until it is empty (forks race us, so loop)."""
        end = time.monotonic() + deadline_s
        while (pids := self.pids()) and time.monotonic() < end:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left and delete the cgroup directories."""
        self.kill_all()
        for directory in self.dirs.values():
            for _ in range(50):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def _try_write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError:
        pass  # swap accounting is optional in the kernel
