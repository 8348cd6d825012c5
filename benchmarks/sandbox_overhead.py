"""Median wall time of `true` and of a small pytest suite: host, local, bwrap, container.

Run: .venv/bin/python benchmarks/sandbox_overhead.py [--runs N]
Targets: bwrap adds <= 50 ms over local; a warm (reused) container run adds <= 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.errors import SandboxError  # noqa: E402
from sandbox.protocol import Limits, RunRequest, RunStatus, Sandbox  # noqa: E402
from sandbox.settings import SandboxSettings  # noqa: E402

PYTEST = ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"]
SUITE_FILES = 5
TESTS_PER_FILE = 10


def make_repo(root: Path) -> Path:
    """A git repo with a small pytest suite (50 tests in 5 files)."""
    repo = root / "repo"
    repo.mkdir()
    for i in range(SUITE_FILES):
        body = "".join(
            f"def test_{i}_{j}():\n    assert sum(range({j})) == {sum(range(j))}\n\n"
            for j in range(TESTS_PER_FILE)
        )
        (repo / f"test_mod{i}.py").write_text(body)
    (repo / "README.md").write_text("benchmark suite\n")
    git = ["git", "-C", str(repo), "-c", "user.name=b", "-c", "user.email=b@b"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "suite"], check=True)
    return repo


def interleaved_medians(runners: dict[str, Callable[[], None]], runs: int) -> dict[str, float]:
    """Median seconds per runner, taking turns so load from other work hits all alike."""
    for run in runners.values():
        run()  # warm caches (page cache, image layers, imports); not counted
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(runs):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def sandbox_runner(sandbox: Sandbox, repo: Path, argv: list[str]) -> Callable[[], None]:
    def run() -> None:
        result = sandbox.run(RunRequest(argv=argv, repo=repo, limits=Limits(timeout_s=120)))
        if result.status is not RunStatus.PASSED:
            raise RuntimeError(f"{sandbox.name} run failed:\n{result.output[-2000:]}")

    return run


def host_runner(repo: Path, argv: list[str]) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(argv, cwd=repo, check=True, capture_output=True)

    return run


@contextmanager
def backends(settings: SandboxSettings) -> Iterator[dict[str, Sandbox | str]]:
    """Each backend that can be opened here; a string says why one cannot."""
    from sandbox.bwrap import BwrapSandbox
    from sandbox.container import ContainerSandbox
    from sandbox.local import LocalSandbox
    from sandbox.warm import ReusedContainerSandbox

    found: dict[str, Sandbox | str] = {"local": LocalSandbox(warn=False)}
    with ExitStack() as stack:
        try:
            found["bwrap"] = BwrapSandbox()
        except SandboxError as exc:
            found["bwrap"] = exc.message
        for name, cls in (
            ("container cold", ContainerSandbox),
            ("container warm", ReusedContainerSandbox),
        ):
            try:
                found[name] = stack.enter_context(cls.open(settings))
            except SandboxError as exc:
                found[name] = exc.message
        yield found


def copy_methods(repo: Path, settings: SandboxSettings, runs: int) -> dict[str, float] | str:
    """Seconds to get `repo` into a container: temp copy + bind mount vs tar + put_archive."""
    import io
    import tarfile

    from sandbox.engine import connect, owner_labels
    from sandbox.images import resolve_image
    from sandbox.workspace import visible_files, workspace_copy

    try:
        client = connect(settings.docker_host)
    except SandboxError as exc:
        return exc.message
    owner = (65534, 65534) if os.geteuid() == 0 else None

    def bind() -> None:
        with workspace_copy(repo, {}, owner=owner):
            pass  # the bind mount itself costs nothing measurable at create time

    container = client.api.create_container(
        resolve_image(client, settings.image), command=["true"], labels=owner_labels()
    )["Id"]

    def archive() -> None:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            for name in visible_files(repo):
                info = tar.gettarinfo(str(repo / name), arcname=f"workspace/{name}")
                info.uid = info.gid = 65534
                if info.isfile():
                    with open(repo / name, "rb") as fh:
                        tar.addfile(info, fh)
                else:
                    tar.addfile(info)
        client.api.put_archive(container, "/tmp", buffer.getvalue())

    try:
        return interleaved_medians({"bind of a temp copy": bind, "put_archive": archive}, runs)
    finally:
        client.api.remove_container(container, force=True)
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9, help="timed runs per cell (median)")
    args = parser.parse_args()
    # The same system python3 everywhere, so the sandboxes are compared, not interpreters.
    os.environ["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    settings = SandboxSettings(backend="container")
    with tempfile.TemporaryDirectory(prefix="hunkwise-bench-") as tmp:
        repo = make_repo(Path(tmp))
        with backends(settings) as found:
            names = ["host (plain subprocess, no copy)"]
            true_runs = {names[0]: host_runner(repo, ["true"])}
            pytest_runs = {names[0]: host_runner(repo, PYTEST)}
            missing: dict[str, str] = {}
            for name, sandbox in found.items():
                if isinstance(sandbox, str):
                    missing[name] = sandbox
                    continue
                names.append(name)
                true_runs[name] = sandbox_runner(sandbox, repo, ["true"])
                pytest_runs[name] = sandbox_runner(sandbox, repo, PYTEST)
            load_before = os.getloadavg()[0]
            t_true = interleaved_medians(true_runs, args.runs)
            t_pytest = interleaved_medians(pytest_runs, args.runs)
            load_after = os.getloadavg()[0]
    print(
        f"median wall time over {args.runs} interleaved runs; pytest suite = "
        f"{SUITE_FILES * TESTS_PER_FILE} tests in {SUITE_FILES} files; "
        f"load average {load_before:.2f} -> {load_after:.2f} on {os.cpu_count()} CPUs"
    )
    print(f"{'backend':34} {'true':>10} {'+vs local':>10} {'pytest':>10} {'+vs local':>10}")
    for name in names:
        d_true = (t_true[name] - t_true["local"]) * 1000
        d_pytest = (t_pytest[name] - t_pytest["local"]) * 1000
        print(
            f"{name:34} {t_true[name] * 1000:8.1f}ms {d_true:+8.1f}ms "
            f"{t_pytest[name] * 1000:8.1f}ms {d_pytest:+8.1f}ms"
        )
    for name, why in missing.items():
        print(f"{name:34} unavailable: {why}")
    files = len(
        subprocess.run(
            ["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True
        ).stdout.splitlines()
    )
    methods = copy_methods(ROOT, settings, args.runs)
    print(f"\ngetting this repository ({files} files) into a container, median:")
    if isinstance(methods, str):
        print(f"  unavailable: {methods}")
    else:
        for name, seconds in methods.items():
            print(f"  {name:32} {seconds * 1000:8.1f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
