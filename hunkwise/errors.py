"""The user-facing error hierarchy: every error carries a message and a hint on how to fix it."""

from __future__ import annotations


class HunkwiseError(Exception):
    """An error the user can act on: `message` says what went wrong, `hint` what to do about it."""

    exit_code: int = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\nhint: {self.hint}" if self.hint else self.message


class ConfigError(HunkwiseError):
    """Settings or command-line input that cannot be used."""


class RepoError(HunkwiseError):
    """The repository is missing, not a git repository, or in a state we refuse to touch."""
