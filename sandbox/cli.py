"""`hunkwise sandbox doctor|run|prune` and `hunkwise test`: cheap imports, work in handlers."""

from __future__ import annotations

import argparse
from typing import Any

BACKENDS = ("auto", "container", "bwrap", "local")


def register(subparsers: Any) -> None:
    """Add the `sandbox` and `test` commands."""
    sandbox = subparsers.add_parser("sandbox", help="run commands isolated; check isolation")
    actions = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)

    doctor = actions.add_parser("doctor", help="which backend is used, and a live isolation test")
    _common(doctor)
    doctor.set_defaults(func=_doctor)

    run = actions.add_parser("run", help="run CMD on a copy of the repository, isolated")
    _common(run)
    run.add_argument("--image", help="container image to use")
    run.add_argument(
        "--timeout", type=_at_least(float, 0.001), help="wall-clock limit in seconds (exit 124)"
    )
    run.add_argument(
        "--memory", type=_at_least(int, 16), help="memory limit in MiB, swap included (>= 16)"
    )
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    run.set_defaults(func=_run)

    prune = actions.add_parser(
        "prune", help="remove derived images (built by setup) this repository no longer needs"
    )
    prune.add_argument("--repo", default=argparse.SUPPRESS, help="repository (default: .)")
    which = prune.add_mutually_exclusive_group()
    which.add_argument(
        "--all", action="store_true", help="every hunkwise-derived image no container uses"
    )
    which.add_argument(
        "--keep",
        type=_at_least(int, 0),
        help="newest images of this repository to keep (default: [sandbox] "
        "keep_derived_images, or 3 when that is 0)",
    )
    prune.add_argument(
        "--dry-run", action="store_true", help="list what would be removed, remove nothing"
    )
    prune.set_defaults(func=_prune, backend=None)

    test = subparsers.add_parser("test", help="detect and run the repository's tests, isolated")
    _common(test)
    test.add_argument("--json", action="store_true", help="print the TestReport as JSON")
    test.add_argument("selection", nargs="*", help="test ids to run (default: all)")
    test.set_defaults(func=_test)


def _at_least(kind: type, low: float) -> Any:
    """An argparse type: a number of `kind` no smaller than `low`."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low:g}, got {text}")
        return value

    return parse


def _common(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps the top-level `hunkwise --repo DIR` value when the flag is not repeated here.
    parser.add_argument("--repo", default=argparse.SUPPRESS, help="repository (default: .)")
    parser.add_argument("--backend", choices=BACKENDS, help="isolation backend (default: auto)")


def _settings(args: argparse.Namespace, **sandbox: Any):  # noqa: ANN202 - lazy import
    from pathlib import Path

    from hunkwise.settings import load_settings

    repo = Path(getattr(args, "repo", None) or ".").expanduser().absolute()
    overrides = {k: v for k, v in sandbox.items() if v is not None}
    if args.backend:
        overrides["backend"] = args.backend
    settings = load_settings(repo if repo.is_dir() else None, {"sandbox": overrides})
    return repo, settings.sandbox


def _print_line(line: Any) -> None:
    import sys

    stream = sys.stdout if line.stream == "stdout" else sys.stderr
    print(line.text, file=stream, flush=True)


def _run(args: argparse.Namespace) -> int:
    import sys

    from hunkwise.errors import ConfigError
    from sandbox.protocol import RunRequest, RunStatus
    from sandbox.results import OOM_EXIT, TIMEOUT_EXIT
    from sandbox.select import open_sandbox
    from sandbox.testing import limits_from
    from sandbox.workspace import check_repo

    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        raise ConfigError("no command given", "hunkwise sandbox run -- CMD ARGS...")
    # One run per process: a fresh container is cheaper than starting a session for it.
    repo, settings = _settings(
        args,
        image=args.image,
        timeout_s=args.timeout,
        memory_mb=args.memory,
        reuse_container=False,
    )
    top = check_repo(repo)
    with open_sandbox(settings) as sandbox:
        request = RunRequest(
            argv=cmd,
            repo=top,
            limits=limits_from(settings),
            network=settings.network,
            image=settings.image,
        )
        result = sandbox.run(request, _print_line)
    if result.output_truncated:
        print("hunkwise: output was truncated", file=sys.stderr)
    if result.status is RunStatus.TIMED_OUT:
        print(f"hunkwise: timed out after {settings.timeout_s:g} s", file=sys.stderr)
        return TIMEOUT_EXIT
    if result.status is RunStatus.OOM:
        print(f"hunkwise: out of memory (limit {settings.memory_mb} MiB)", file=sys.stderr)
        return OOM_EXIT
    return result.exit_code if result.exit_code is not None else 1


def _test(args: argparse.Namespace) -> int:
    from sandbox.select import open_sandbox
    from sandbox.testing import run_tests
    from sandbox.workspace import check_repo

    repo, settings = _settings(args, reuse_container=False)
    top = check_repo(repo)
    with open_sandbox(settings) as sandbox:
        report = run_tests(
            sandbox,
            top,
            {},
            settings,
            selection=args.selection or None,
            on_line=None if args.json else _print_line,
        )
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(
            f"\n{report.status.value}: {report.passed} passed, {report.failed} failed, "
            f"{report.errors} errors, {report.skipped} skipped in {report.duration_s:.1f} s "
            f"({report.backend.value}{', ' + report.image if report.image else ''})"
        )
        if report.excerpt and report.status.value != "passed":
            print(report.excerpt)
    return 0 if report.status.value == "passed" else 1


def _doctor(args: argparse.Namespace) -> int:
    from sandbox.doctor import run_checks
    from sandbox.select import open_sandbox
    from sandbox.workspace import check_repo

    repo, settings = _settings(args)
    top = check_repo(repo)
    with open_sandbox(settings) as sandbox:
        image = getattr(sandbox, "image", None)
        print(f"backend: {sandbox.name.value}" + (f" (image {image})" if image else ""))
        checks = run_checks(sandbox, top)
    width = max(len(c.name) for c in checks)
    for check in checks:
        print(f"  {'ok  ' if check.ok else 'FAIL'}  {check.name:<{width}}  {check.detail}")
    failed = [c for c in checks if not c.ok]
    print("all isolation checks passed" if not failed else f"{len(failed)} check(s) FAILED")
    return 1 if failed else 0


def _prune(args: argparse.Namespace) -> int:
    from sandbox.engine import connect
    from sandbox.prune import human_size, prune_derived, repo_key
    from sandbox.settings import SandboxSettings
    from sandbox.workspace import check_repo

    repo, settings = _settings(args)
    keep = args.keep
    if keep is None:
        # 0 only switches the automatic pruning off; an explicit prune keeps the usual few.
        keep = settings.keep_derived_images or SandboxSettings().keep_derived_images
    key = None if args.all else repo_key(check_repo(repo))
    client = connect(settings.docker_host)
    try:
        result = prune_derived(client, key, keep, dry_run=args.dry_run)
    finally:
        client.close()
    verb = "would remove" if result.dry_run else "removed"
    for image in result.removed:
        print(f"{verb}  {image.name}  {human_size(image.own_bytes)}")
    for image in result.plan.in_use:
        print(f"kept (a container uses it)  {image.name}")
    for image, reason in result.failed:
        print(f"could not remove  {image.name}: {reason}")
    scope = "hunkwise-derived images" if args.all else "derived images of this repository"
    if not result.removed:
        kept = "" if args.all else f" (keeping the newest {keep})"
        print(f"no {scope} to remove{kept}")
    else:
        freed = "would free about" if result.dry_run else "freed about"
        print(f"{freed} {human_size(result.freed_bytes)} ({len(result.removed)} image(s))")
    return 0
