"""Bubblewrap backend: namespaces, read-only system, tmpfs over HOME and sockets, a cgroup."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from sandbox.cgroups import RunCgroup
from sandbox.environment import (
    SANDBOX_GID,
    SANDBOX_HOME,
    SANDBOX_UID,
    WORKSPACE_MOUNT,
    sandbox_env,
)
from sandbox.errors import SandboxError
from sandbox.output import OutputCollector
from sandbox.process import run_streaming
from sandbox.protocol import BackendName, Limits, LineSink, RunRequest, RunResult
from sandbox.results import classify
from sandbox.workspace import collect_files, safe_relpath, workspace_copy

# System directories bound read-only; merged-/usr links are recreated as links.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc", "/opt")


BWRAP_HINT = (
    "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or "
    "kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu), or use a container engine"
)


def find_bwrap() -> str | None:
    """Path of the bwrap binary, or None."""
    return shutil.which("bwrap")


def _system_binds() -> list[str]:
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def bwrap_argv(bwrap: str, workspace: Path, request: RunRequest, env: dict[str, str]) -> list[str]:
    """The full bwrap command line for one run."""
    workdir = PurePosixPath(WORKSPACE_MOUNT)
    if request.workdir:
        workdir = workdir / safe_relpath(request.workdir)
    args = [bwrap, "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-uts"]
    args += ["--unshare-cgroup-try"]
    if not request.network:
        args += ["--unshare-net"]
    args += ["--die-with-parent", "--new-session", "--clearenv", "--cap-drop", "ALL"]
    args += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID)]
    args += ["--hostname", "hunkwise-sandbox"]
    args += _system_binds()
    args += ["--proc", "/proc", "--dev", "/dev"]
    # Host sockets live in /tmp, /run, /var/run; HOME holds credentials: all become empty tmpfs.
    args += ["--tmpfs", "/tmp", "--tmpfs", "/run", "--tmpfs", "/var", "--tmpfs", "/home"]
    args += ["--symlink", "../run", "/var/run", "--dir", "/var/tmp", "--dir", SANDBOX_HOME]
    args += ["--bind", str(workspace), WORKSPACE_MOUNT, "--chdir", str(workdir)]
    args += ["--remount-ro", "/"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args + ["--", *request.argv]


def limit_shim(group: RunCgroup | None, limits: Limits, setpriv: str | None) -> list[str]:
    """A tiny shell that joins the cgroup (or sets rlimits), drops root if given, execs bwrap.

    Joining happens before the drop (cgroup v2 lets only the owner of both cgroups move a
    process), and fails closed: no cgroup, no run.
    """
    drop = "".join(f"{shlex.quote(arg)} " for arg in drop_argv(setpriv))
    if group is None:
        # Without a cgroup: per-user process and address-space limits, which bind uid 65534
        # (root is exempt from RLIMIT_NPROC, hence the drop after them).
        prlimit = shutil.which("prlimit") or "prlimit"
        rlimits = f"--nproc={limits.pids} --as={limits.memory_mb * 1024 * 1024}"
        return ["/bin/sh", "-c", f'exec {prlimit} {rlimits} -- {drop}"$@"', "hunkwise-limits"]
    joins = " && ".join(f"echo $$ > {shlex.quote(str(p))}" for p in group.procs_files())
    fail = "{ echo 'hunkwise: cannot join the run cgroup' >&2; exit 125; }"
    return ["/bin/sh", "-c", f'{{ {joins}; }} || {fail}; exec {drop}"$@"', "hunkwise-limits"]


def drop_argv(setpriv: str | None) -> list[str]:
    """The prefix that makes root nobody before bwrap (empty when we are not root).

    bwrap then builds an unprivileged user namespace, so nothing inside maps to host root,
    and root's exemption from RLIMIT_NPROC is gone.
    """
    if setpriv is None:
        return []
    return [setpriv, f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_GID}", "--clear-groups", "--"]


class BwrapSandbox:
    """Runs each command under bubblewrap on a fresh workspace copy."""

    name = BackendName.BWRAP

    def __init__(self, bwrap: str | None = None) -> None:
        found = bwrap or find_bwrap()
        if found is None:
            raise SandboxError(
                "bubblewrap (bwrap) is not installed",
                "install it (Debian/Ubuntu: apt install bubblewrap) or use a container engine",
            )
        self.bwrap = found
        self.as_root = os.geteuid() == 0
        self.setpriv: str | None = None
        if self.as_root:
            self.setpriv = shutil.which("setpriv")
            if self.setpriv is None:
                raise SandboxError(
                    "running bwrap as root needs setpriv to drop to an unprivileged user",
                    "install util-linux (it provides setpriv)",
                )
        self._self_check()

    def _self_check(self) -> None:
        """Fail now, with a hint, when bwrap cannot build its namespaces on this host."""
        argv = [*drop_argv(self.setpriv), self.bwrap, "--unshare-all"]
        argv += ["--die-with-parent", *_system_binds(), "--proc", "/proc", "--dev", "/dev"]
        try:
            proc = subprocess.run([*argv, "--", "true"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxError(f"bubblewrap does not run here: {exc}", BWRAP_HINT) from exc
        if proc.returncode != 0:
            raise SandboxError(
                f"bubblewrap cannot create its namespaces here: {proc.stderr.strip()}",
                BWRAP_HINT,
            )

    def run(self, request: RunRequest, on_line: LineSink | None = None) -> RunResult:
        """Copy the repo plus overlay, run `request.argv` under bwrap, classify the outcome."""
        if not request.argv:
            raise SandboxError("no command to run", "give a command, e.g. -- pytest -q")
        limits = request.limits
        owner = (SANDBOX_UID, SANDBOX_GID) if self.as_root else None
        collector = OutputCollector(limits.output_limit_bytes, on_line)
        with workspace_copy(request.repo, request.overlay, owner=owner) as workspace:
            group = RunCgroup.create(limits.pids, limits.memory_mb, limits.cpus)
            try:
                env = sandbox_env(request.env)
                argv = limit_shim(group, limits, self.setpriv)
                argv += bwrap_argv(self.bwrap, workspace, request, env)
                outcome = run_streaming(
                    argv,
                    env={"PATH": "/usr/bin:/bin"},
                    cwd=workspace,
                    timeout_s=limits.timeout_s,
                    collector=collector,
                    on_kill=group.kill_all if group is not None else None,
                    cancel=request.cancel,
                )
                oom = group.oom_killed() if group is not None else False
            finally:
                if group is not None:
                    group.remove()
            collected = collect_files(workspace, request.collect)
        return classify(outcome, collector, BackendName.BWRAP, oom=oom, collected=collected)
