"""JUnit XML parsing and the compact failure excerpt."""

from __future__ import annotations

import pytest

from sandbox.junit import MAX_EXCERPT_CHARS, compact_failure_text, failures_excerpt, parse_junit
from sandbox.protocol import TestCaseFailure

XML = b"""<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4">
<testcase classname="pkg.test_mod.TestThing" name="test_fails" file="pkg/test_mod.py" line="3">
<failure message="assert 1 == 2">def test_fails(self):
        x = 1
&gt;       assert x == 2
E       assert 1 == 2

pkg/test_mod.py:5: AssertionError</failure></testcase>
<testcase classname="pkg.test_mod" name="test_ok" file="pkg/test_mod.py" line="7"/>
<testcase classname="pkg.test_mod" name="test_skip" file="pkg/test_mod.py" line="9">
<skipped message="later"/></testcase>
<testcase classname="pkg.test_other" name="test_err" file="pkg/test_other.py" line="1">
<error message="fixture 'db' not found">E       fixture 'db' not found</error></testcase>
</testsuite></testsuites>"""


def test_counts_ids_and_messages() -> None:
    summary = parse_junit(XML)
    assert (summary.passed, summary.failed, summary.errors, summary.skipped) == (1, 1, 1, 1)
    ids = [f.test_id for f in summary.failures]
    assert ids == ["pkg/test_mod.py::TestThing::test_fails", "pkg/test_other.py::test_err"]
    assert summary.failures[0].message == "assert 1 == 2"
    assert "E       assert 1 == 2" in summary.failures[0].excerpt
    assert "pkg/test_mod.py:5: AssertionError" in summary.failures[0].excerpt
    assert "x = 1" not in summary.failures[0].excerpt  # context lines are left out


def test_not_xml_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="JUnit"):
        parse_junit(b"<testsuite><testcase")


def test_excerpt_stays_model_sized() -> None:
    failures = [
        TestCaseFailure(test_id=f"t.py::test_{i}", message="boom", excerpt="E  " + "x" * 500)
        for i in range(100)
    ]
    text = failures_excerpt(failures)
    assert len(text) <= MAX_EXCERPT_CHARS + 100
    assert "more failures" in text
    assert text.startswith("FAILED t.py::test_0: boom")


def test_compact_text_without_markers_keeps_the_end() -> None:
    text = "\n".join(f"line {i}" for i in range(100))
    assert compact_failure_text(text).splitlines()[-1] == "line 99"
