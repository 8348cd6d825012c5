"""Allow `python -m hunkwise`."""

from hunkwise.cli import main

raise SystemExit(main())
