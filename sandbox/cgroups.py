"""Per-run cgroup (v1 or v2) that caps processes and memory even when the caller is root."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 100_000


class RunCgroup:
    """A fresh cgroup for one run: pids.max and memory (+swap) limits, OOM count, kill-all."""

    def __init__(self, dirs: dict[str, Path], v2: bool) -> None:
        self.dirs = dirs
        self.v2 = v2

    @classmethod
    def create(cls, pids: int, memory_mb: int, cpus: float) -> RunCgroup | None:
        """Make the cgroup; None when cgroups cannot be created here (not root, read-only).

        Processes and memory are required (creation fails without them); CPU is best effort.
        """
        name = f"hunkwise-cg-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        limit = str(memory_mb * 1024 * 1024)
        quota = str(max(int(cpus * CPU_PERIOD_US), 1000))
        group = cls({}, v2=(CGROUP_ROOT / "cgroup.controllers").exists())
        try:
            if group.v2:
                path = group._make("unified", CGROUP_ROOT / name)
                (path / "pids.max").write_text(str(pids))
                (path / "memory.max").write_text(limit)
                _try_write(path / "memory.swap.max", "0")
                _try_write(path / "cpu.max", f"{quota} {CPU_PERIOD_US}")
            else:
                (group._make("pids", CGROUP_ROOT / "pids" / name) / "pids.max").write_text(
                    str(pids)
                )
                mem_dir = group._make("memory", CGROUP_ROOT / "memory" / name)
                (mem_dir / "memory.limit_in_bytes").write_text(limit)
                # memory+swap equal to memory: the run may not swap its way past the limit.
                _try_write(mem_dir / "memory.memsw.limit_in_bytes", limit)
                try:
                    cpu_dir = group._make("cpu", CGROUP_ROOT / "cpu" / name)
                    (cpu_dir / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
                    (cpu_dir / "cpu.cfs_quota_us").write_text(quota)
                except OSError:
                    pass
        except OSError:
            group.remove()
            return None
        return group

    def _make(self, kind: str, path: Path) -> Path:
        path.mkdir()
        self.dirs[kind] = path
        return path

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
            time.sleep(0.002)  # exiting tasks linger for a moment

    def remove(self) -> None:
        """Kill what is left and delete the cgroup directories."""
        self.kill_all()
        for directory in self.dirs.values():
            for _ in range(200):  # up to ~1 s while the last tasks finish exiting
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.005)


def _try_write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError:
        pass  # swap accounting is optional in the kernel
