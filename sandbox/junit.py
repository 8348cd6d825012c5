"""Parse JUnit XML (as pytest writes it) into counts and failures with compact excerpts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from sandbox.protocol import TestCaseFailure

# Per failure, only the lines that explain it; the whole excerpt stays model-sized.
MAX_LINES_PER_FAILURE = 20
MAX_EXCERPT_CHARS = 6000


@dataclass
class JUnitSummary:
    """Counts and failures found in one JUnit XML document."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failures: list[TestCaseFailure] = field(default_factory=list)


def _test_id(case: ET.Element) -> str:
    name = case.get("name", "?")
    classname = case.get("classname", "")
    path = case.get("file")
    if path:
        module = path.removesuffix(".py").replace("/", ".")
        inner = classname[len(module) + 1 :] if classname.startswith(module + ".") else ""
        return "::".join(p for p in (path, inner, name) if p)
    return f"{classname}::{name}" if classname else name


def compact_failure_text(text: str) -> str:
    """The telling lines of a traceback: `E` lines, the location lines, and the last lines."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    keep = [ln for ln in lines if ln.startswith("E ") or ln.startswith(">") or _is_location(ln)]
    if not keep:
        keep = lines[-MAX_LINES_PER_FAILURE:]
    if len(keep) > MAX_LINES_PER_FAILURE:
        keep = keep[: MAX_LINES_PER_FAILURE // 2] + ["..."] + keep[-MAX_LINES_PER_FAILURE // 2 :]
    return "\n".join(keep)


def _is_location(line: str) -> bool:
    head, sep, rest = line.partition(":")
    return bool(sep) and head.endswith(".py") and rest.split(":", 1)[0].isdigit()


def parse_junit(xml_bytes: bytes) -> JUnitSummary:
    """Counts and failures from a JUnit XML document; raises ValueError when it is not one."""
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError as exc:
        raise ValueError(f"not valid JUnit XML: {exc}") from exc
    summary = JUnitSummary()
    for case in root.iter("testcase"):
        failure = case.find("failure")
        error = case.find("error")
        if case.find("skipped") is not None:
            summary.skipped += 1
        elif failure is not None or error is not None:
            node = failure if failure is not None else error
            assert node is not None
            if failure is not None:
                summary.failed += 1
            else:
                summary.errors += 1
            summary.failures.append(
                TestCaseFailure(
                    test_id=_test_id(case),
                    message=(node.get("message") or "").strip()[:500],
                    excerpt=compact_failure_text(node.text or ""),
                )
            )
        else:
            summary.passed += 1
    return summary


def failures_excerpt(failures: list[TestCaseFailure]) -> str:
    """One compact text block for a model: each failing id and its telling lines."""
    parts: list[str] = []
    size = 0
    for failure in failures:
        block = f"FAILED {failure.test_id}: {failure.message}\n{failure.excerpt}".rstrip()
        if size + len(block) > MAX_EXCERPT_CHARS:
            parts.append(f"... and {len(failures) - len(parts)} more failures")
            break
        parts.append(block)
        size += len(block)
    return "\n\n".join(parts)
