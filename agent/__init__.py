"""The pair-programming loop, pending changes and git, independent of any UI."""
