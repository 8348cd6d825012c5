"""`hunkwise apply -i`: ask about each hunk in turn, as `git add -p` does."""

from __future__ import annotations

from typing import TextIO

from agent.changes.changeset import ChangeSet
from agent.changes.model import Decision, HunkView

HELP = """y - take this hunk
n - leave this hunk out
s - split this hunk into smaller hunks
a - take this hunk and all later ones
d - leave out this hunk and all later ones
q - quit: leave out this hunk and all later ones
? - print help
"""


def show(view: HunkView, out: TextIO) -> None:
    """Print one hunk with its file and header."""
    print(f"{view.path} {view.header}", file=out)
    for line in view.lines:
        print(f"{line.kind}{line.text}", file=out)


def ask_hunks(changes: ChangeSet, answers: TextIO, out: TextIO) -> int:
    """Decide every hunk from the answers read line by line; returns how many were taken."""
    queue = [hunk.id for hunk in changes.numbered()]
    rest: Decision | None = None
    while queue:
        hunk_id = queue.pop(0)
        if rest is not None:
            changes.decide(hunk_id, rest)
            continue
        show(changes.hunk(hunk_id), out)
        while True:
            out.write("Take this hunk [y,n,s,a,d,q,?]? ")
            out.flush()
            line = answers.readline()
            answer = line.strip().lower()[:1] if line else "q"  # end of input: quit
            if answer in ("y", "a"):
                changes.decide(hunk_id, Decision.ACCEPTED)
                rest = Decision.ACCEPTED if answer == "a" else None
            elif answer in ("n", "d", "q"):
                changes.decide(hunk_id, Decision.REJECTED)
                rest = None if answer == "n" else Decision.REJECTED
            elif answer == "s":
                children = changes.split(hunk_id)
                if len(children) == 1:
                    print("Sorry, this hunk cannot be split further.", file=out)
                    continue
                print(f"Split into {len(children)} hunks.", file=out)
                queue[0:0] = children
            else:
                out.write(HELP)
                continue
            break
    return sum(1 for hunk in changes.hunks() if hunk.decision is Decision.ACCEPTED)
