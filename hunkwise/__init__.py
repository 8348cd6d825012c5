"""hunkwise: a terminal pair-programmer that commits only what you accepted and tested."""

__version__ = "0.1.0"
