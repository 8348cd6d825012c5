"""Property tests of hunk composition: exact bytes for every subset of decisions and lines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from agent.changes import ChangeSet, Decision, HunkView
from agent.changes.lines import split_lines

# 300 examples per property by default; HUNKWISE_PROP_EXAMPLES=5000 for a deeper run.
EXAMPLES = settings(
    max_examples=int(os.environ.get("HUNKWISE_PROP_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Line bodies from a tiny alphabet so that random edits produce repeats and near-misses;
# the byte pool holds a tab, a stray CR, and bytes that are not valid UTF-8.
BODIES = st.sampled_from(
    [b"a", b"b", b"c", b"\tindented", b"x = 1", b"caf\xc3\xa9", b"\xff\xfe raw", b"", b"end\r"]
)
ENDINGS = st.sampled_from([b"\n", b"\r\n"])


@st.composite
def text_files(draw: st.DrawFn, min_lines: int = 0) -> bytes:
    """A text file: mixed endings allowed, the last line may lack its terminator."""
    bodies = draw(st.lists(BODIES, min_size=min_lines, max_size=40))
    crlf_file = draw(st.booleans())
    lines = [body + (b"\r\n" if crlf_file else draw(ENDINGS)) for body in bodies]
    if lines and draw(st.booleans()):
        lines[-1] = lines[-1].rstrip(b"\r\n") or b"z"
    return b"".join(lines)


@st.composite
def edited(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` with random line insertions, deletions and replacements."""
    lines = list(split_lines(original))
    for _ in range(draw(st.integers(0, 8))):
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        at = draw(st.integers(0, len(lines)))
        new = draw(BODIES) + draw(ENDINGS)
        if op == "insert":
            lines.insert(at, new)
        elif lines and at < len(lines):
            if op == "delete":
                del lines[at]
            else:
                lines[at] = new
    if lines and draw(st.booleans()):
        lines[-1] = lines[-1].rstrip(b"\r\n") or b"q"
    return b"".join(lines)


@st.composite
def file_pairs(draw: st.DrawFn) -> tuple[bytes, bytes]:
    original = draw(text_files())
    return original, draw(edited(original))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per module; each example overwrites its one file."""
    return tmp_path_factory.mktemp("props")


def change_set(root: Path, original: bytes, proposed: bytes) -> tuple[ChangeSet, Path]:
    (root / "f.txt").write_bytes(original)
    changes = ChangeSet(root)
    changes.write("f.txt", proposed)
    return changes, root


def result(changes: ChangeSet, original: bytes) -> bytes:
    return changes.accepted_overlay().get("f.txt", original)


def reference(original: bytes, proposed: bytes, hunks: list[HunkView]) -> bytes:
    """Apply the taken hunks' change runs from their views alone (line numbers and flags)."""
    old_lines, new_lines = split_lines(original), split_lines(proposed)
    runs: list[tuple[int, int, list[bytes]]] = []
    for hunk in hunks:
        lines = hunk.lines
        index = 0
        while index < len(lines):
            if lines[index].kind == " ":
                index += 1
                continue
            end = index
            while end < len(lines) and lines[end].kind != " ":
                end += 1
            run = lines[index:end]
            removed = [n for n in run if n.kind == "-"]
            if removed:
                position = removed[0].old_no - 1
            elif index > 0:
                position = lines[index - 1].old_no
            elif end < len(lines):
                position = lines[end].old_no - 1
            else:
                position = int(hunk.header.split()[1].split(",")[0][1:])
            region = [old_lines[n.old_no - 1] for n in removed if not n.selected]
            region += [new_lines[n.new_no - 1] for n in run if n.kind == "+" and n.selected]
            runs.append((position, len(removed), region))
            index = end
    out = list(old_lines)
    for position, count, region in sorted(runs, key=lambda r: r[0], reverse=True):
        out[position : position + count] = region
    # A kept unterminated line that is no longer last gets the file's ending, as compose does.
    crlf = next((x for x in old_lines if x.endswith(b"\n")), b"\n").endswith(b"\r\n")
    for index in range(len(out) - 1):
        if not out[index].endswith(b"\n"):
            out[index] += b"\r\n" if crlf else b"\n"
    return b"".join(out)


@EXAMPLES
@given(file_pairs())
def test_accept_all_is_the_proposal_and_reject_all_the_original(
    root: Path, pair: tuple[bytes, bytes]
) -> None:
    original, proposed = pair
    changes, _ = change_set(root, original, proposed)
    assert changes.proposed_overlay().get("f.txt", original) == proposed
    changes.decide_all(Decision.ACCEPTED)
    assert result(changes, original) == proposed
    changes.decide_all(Decision.REJECTED)
    assert result(changes, original) == original
    changes.decide_all(Decision.UNDECIDED)
    assert changes.accepted_overlay() == {}


@EXAMPLES
@given(file_pairs(), st.data())
def test_any_subset_equals_applying_that_subset(
    root: Path, pair: tuple[bytes, bytes], data: st.DataObject
) -> None:
    original, proposed = pair
    changes, _ = change_set(root, original, proposed)
    if data.draw(st.booleans()):
        for hunk in list(changes.hunks()):
            changes.split(hunk.id)
    hunks = list(changes.hunks())
    taken = [h for h in hunks if data.draw(st.booleans())]
    for hunk in taken:
        changes.decide(hunk.id, Decision.ACCEPTED)
    for hunk in hunks:
        if hunk not in taken and data.draw(st.booleans()):
            changes.decide(hunk.id, Decision.REJECTED, "no")
    views = [changes.hunk(h.id) for h in taken]
    assert result(changes, original) == reference(original, proposed, views)
    # Ids are stable: deciding some hunks never renames the others.
    assert [h.id for h in changes.hunks()] == [h.id for h in hunks]


@EXAMPLES
@given(file_pairs(), st.data())
def test_line_selection_takes_exactly_the_selected_lines(
    root: Path, pair: tuple[bytes, bytes], data: st.DataObject
) -> None:
    original, proposed = pair
    changes, _ = change_set(root, original, proposed)
    taken = []
    for hunk in list(changes.hunks()):
        if not data.draw(st.booleans()):
            continue
        changes.decide(hunk.id, Decision.ACCEPTED)
        selectable = [i for i, line in enumerate(hunk.lines) if line.kind != " "]
        chosen = data.draw(st.lists(st.sampled_from(selectable), unique=True)) if selectable else []
        view = changes.select_lines(hunk.id, chosen)
        assert view.line_mode == (len(chosen) < len(selectable))
        taken.append(view)
    assert result(changes, original) == reference(original, proposed, taken)


@EXAMPLES
@given(file_pairs())
def test_editing_a_hunk_to_its_own_text_changes_nothing(
    root: Path, pair: tuple[bytes, bytes]
) -> None:
    original, proposed = pair
    endings = {
        line[-2:] == b"\r\n" for line in split_lines(original + proposed) if line[-1:] == b"\n"
    }
    assume(len(endings) <= 1)  # typed text takes the file's one line ending
    changes, _ = change_set(root, original, proposed)
    for hunk in list(changes.hunks()):
        new_side = [line for line in changes.hunk(hunk.id).lines if line.kind != "-"]
        own = "".join(line.text + "\n" for line in new_side)
        reaches_end = new_side and new_side[-1].new_no == len(split_lines(proposed))
        if reaches_end and not proposed.endswith(b"\n"):
            own = own[:-1]  # the text is file content: no final newline where the file has none
        if any("\ufffd" in line.text or "\r" in line.text for line in hunk.lines):
            continue  # display text is lossy for raw bytes; those hunks are covered above
        changes.edit_hunk(hunk.id, own)
    changes.decide_all(Decision.ACCEPTED)
    assert result(changes, original) == proposed


@EXAMPLES
@given(text_files(), st.binary(max_size=64))
def test_bytes_round_trip_through_read_and_write(root: Path, original: bytes, tail: bytes) -> None:
    tail = tail.replace(b"\0", b"")
    changes, _ = change_set(root, original, original + tail)
    text = changes.read_text("f.txt")
    changes.write("f.txt", text)  # str written back encodes to the very same bytes
    assert changes.proposed_overlay().get("f.txt", original) == original + tail


@EXAMPLES
@given(file_pairs(), st.data())
def test_writing_keeps_exactly_the_rest_pending(
    root: Path, pair: tuple[bytes, bytes], data: st.DataObject
) -> None:
    original, proposed = pair
    changes, _ = change_set(root, original, proposed)
    for hunk in list(changes.hunks()):
        choice = data.draw(st.sampled_from(list(Decision)))
        changes.decide(hunk.id, choice, "why" if choice is Decision.REJECTED else None)
        selectable = [i for i, line in enumerate(hunk.lines) if line.kind != " "]
        if choice is Decision.ACCEPTED and selectable and data.draw(st.booleans()):
            changes.select_lines(hunk.id, data.draw(st.lists(st.sampled_from(selectable))))
    expected = result(changes, original)
    rejected_lines = sorted(
        (line.kind, line.text) for h in changes.rejections() for line in h.lines if line.kind != " "
    )
    report = changes.write_accepted(snapshot=False)
    assert report.ok
    assert (root / "f.txt").read_bytes() == expected
    # What is left is the rest of the same proposal, and rejections keep their reasons.
    assert changes.proposed_overlay().get("f.txt", expected) == proposed
    assert all(h.decision is not Decision.ACCEPTED for h in changes.hunks())
    left = sorted(
        (line.kind, line.text) for h in changes.rejections() for line in h.lines if line.kind != " "
    )
    assert left == rejected_lines
    assert all(h.reason == "why" for h in changes.rejections())
    changes.decide_all(Decision.ACCEPTED)
    assert changes.accepted_overlay().get("f.txt", expected) == proposed


@EXAMPLES
@given(file_pairs())
def test_patch_text_round_trips_through_from_patch_and_git_apply(
    root: Path, pair: tuple[bytes, bytes]
) -> None:
    import subprocess

    original, proposed = pair
    changes, _ = change_set(root, original, proposed)
    patch = changes.patch_text()
    if original == proposed:
        assert patch == ""
        return
    loaded = ChangeSet.from_patch(root, patch)
    assert loaded.proposed_overlay() == {"f.txt": proposed}
    (root / "p.diff").write_bytes(patch.encode("utf-8", "surrogateescape"))
    subprocess.run(["git", "apply", "p.diff"], cwd=root, check=True, capture_output=True)
    assert (root / "f.txt").read_bytes() == proposed


@EXAMPLES
@given(file_pairs(), st.data())
def test_agent_edits_during_review_keep_decided_hunks_and_compose(
    root: Path, pair: tuple[bytes, bytes], data: st.DataObject
) -> None:
    original, proposed = pair
    changes, _ = change_set(root, original, proposed)
    for hunk in list(changes.hunks()):
        if data.draw(st.booleans()):
            changes.split(hunk.id)
    decided = {}
    for hunk in list(changes.hunks()):
        choice = data.draw(st.sampled_from(list(Decision)))
        changes.decide(hunk.id, choice)
        decided[hunk.id] = (choice, changes.hunk(hunk.id).lines)
    second = data.draw(edited(proposed))
    changes.write("f.txt", second)  # the agent revises its proposal mid-review
    assert changes.proposed_overlay().get("f.txt", original) == second
    views = list(changes.hunks())
    for view in views:
        if view.id in decided and decided[view.id][1] == view.lines:
            assert view.decision is decided[view.id][0]
    changes.decide_all(Decision.ACCEPTED)
    assert changes.accepted_overlay().get("f.txt", original) == second
