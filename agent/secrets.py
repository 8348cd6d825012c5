"""Masks secrets in everything sent to a model: private keys, token formats, `.env` values."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private-key", re.compile(
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
        re.S)),
    ("aws-key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("anthropic-key", re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{20,}")),
    ("openai-key", re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{20,}")),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}")),
    ("google-key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("stripe-key", re.compile(r"\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")),
    ("url-password", re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]{3,}(?=@)")),
)
_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)", re.I)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*[:=]\s*(.*?)\s*$")
MIN_SECRET_LEN = 6


def _env_file_values(text: str) -> list[str]:
    values = []
    for line in text.splitlines():
        match = _ENV_LINE.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        value = match.group(2).strip().strip("'\"")
        if len(value) >= MIN_SECRET_LEN:
            values.append(value)
    return values


BLANK_MARKS = ("\u2588", "\u2593", "\u25a0", "#", "*")


class SecretMasker:
    """Replaces known secret values and secret-looking tokens with `[REDACTED:kind]`."""

    def __init__(self, literals: Mapping[str, str] | None = None) -> None:
        self.literals: dict[str, str] = dict(literals or {})
        # The transcript is re-sent every turn; each text is scanned once.
        self._memo: dict[str, str] = {}

    @classmethod
    def for_repo(cls, repo: Path, environ: Mapping[str, str] | None = None) -> SecretMasker:
        """Learn the values of the repo's `.env*` files and of secret-named environment vars."""
        literals: dict[str, str] = {}
        for path in sorted(repo.glob(".env*")) + sorted(repo.glob("*/.env*")):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for value in _env_file_values(text):
                literals[value] = "env-file"
        for name, value in (os.environ if environ is None else environ).items():
            if _SECRET_NAME.search(name) and len(value) >= 8:
                literals[value] = "env-var"
        return cls(literals)

    def mask(self, text: str) -> str:
        """The text with every secret replaced."""
        cached = self._memo.get(text)
        if cached is not None:
            return cached
        masked = self._scan(text)
        if len(self._memo) > 4096:
            self._memo.clear()
        self._memo[text] = masked
        return masked

    def _scan(self, text: str) -> str:
        masked = self._replace(text, labelled=True)
        if any(value in masked for value in self.literals):
            # A secret that is part of a label (`env-fi`), or that a label completes with the
            # text beside it, would show through: mark with a character no secret contains.
            masked = self._replace(text, labelled=False)
        return masked

    def _replace(self, text: str, labelled: bool) -> str:
        blank = self._blank()
        for value in sorted(self.literals, key=len, reverse=True):
            if value in text:
                text = text.replace(
                    value, f"[REDACTED:{self.literals[value]}]" if labelled else blank
                )
        for kind, pattern in _PATTERNS:
            text = pattern.sub(f"[REDACTED:{kind}]" if labelled else blank, text)
        return text

    def _blank(self) -> str:
        """A marker made of a character that occurs in no known secret."""
        for mark in BLANK_MARKS:
            if not any(mark in value for value in self.literals):
                return mark * 8
        return "\u2591" * 8  # every candidate is in some secret: a last, unlikely resort

    def mask_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Copies of chat messages with content and tool-call arguments masked."""
        masked = []
        for message in messages:
            copy = dict(message)
            if isinstance(copy.get("content"), str):
                copy["content"] = self.mask(copy["content"])
            if copy.get("tool_calls"):
                calls = []
                for call in copy["tool_calls"]:
                    function = dict(call["function"])
                    function["arguments"] = self.mask(function.get("arguments") or "")
                    calls.append({**call, "function": function})
                copy["tool_calls"] = calls
            masked.append(copy)
        return masked
