"""One settings object, merged from defaults, user file, repository files, environment and flags."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.settings import AgentSettings, BudgetSettings, GitSettings, ModelSettings
from hunkwise.errors import ConfigError
from repomap.settings import RepoMapSettings
from sandbox.settings import SandboxSettings
from tui.settings import UISettings

# A repository is untrusted input: its files may not weaken isolation, pick where we write,
# widen what a model may read, raise budgets or choose where model traffic goes.
# ("section", "*") forbids the whole section.
REPO_FORBIDDEN_KEYS: frozenset[tuple[str, str]] = frozenset(
    {
        ("sandbox", "allow_local"),
        ("sandbox", "network"),
        ("sandbox", "docker_host"),
        ("git", "*"),
        ("model", "*"),
        ("budget", "*"),
        ("agent", "deny_globs"),
        ("agent", "sessions_db"),
        ("repomap", "cache_dir"),
    }
)

ENV_KEYS: dict[str, tuple[str, str]] = {
    "HUNKWISE_MODEL": ("model", "main"),
    "HUNKWISE_REVIEW_MODEL": ("model", "review"),
    "HUNKWISE_WEAK_MODEL": ("model", "weak"),
    "HUNKWISE_API_BASE": ("model", "api_base"),
    "HUNKWISE_SANDBOX": ("sandbox", "backend"),
    "HUNKWISE_IMAGE": ("sandbox", "image"),
}


class Settings(BaseModel):
    """Everything hunkwise can be told; passed down through constructors, never global."""

    model_config = ConfigDict(extra="forbid")

    model: ModelSettings = Field(default_factory=ModelSettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    git: GitSettings = Field(default_factory=GitSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    repomap: RepoMapSettings = Field(default_factory=RepoMapSettings)
    ui: UISettings = Field(default_factory=UISettings)


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the user's own settings file lives (XDG_CONFIG_HOME aware)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "hunkwise" / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}", "fix the file or move it away"
        ) from exc


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _repo_layer(repo: Path) -> dict[str, Any]:
    """Settings a repository declares, with the keys it may not set stripped out."""
    layer = _read_toml(repo / "pyproject.toml").get("tool", {}).get("hunkwise", {})
    layer = _merge(layer, _read_toml(repo / ".hunkwise.toml"))
    clean: dict[str, Any] = {}
    for section, values in layer.items():
        if not isinstance(values, Mapping):
            clean[section] = values
            continue
        if (section, "*") in REPO_FORBIDDEN_KEYS:
            continue
        allowed = {k: v for k, v in values.items() if (section, k) not in REPO_FORBIDDEN_KEYS}
        if section == "sandbox" and allowed.get("backend") == "local":
            allowed.pop("backend")
        clean[section] = allowed
    return clean


def _env_layer(env: Mapping[str, str]) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for name, (section, key) in ENV_KEYS.items():
        if env.get(name):
            layer.setdefault(section, {})[key] = env[name]
    return layer


def load_settings(
    repo: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    user_file: Path | None = None,
) -> Settings:
    """Merge defaults < user file < repository files < environment < overrides and validate."""
    env = os.environ if env is None else env
    data: dict[str, Any] = _read_toml(user_file or user_config_path(env))
    if repo is not None:
        data = _merge(data, _repo_layer(repo))
    data = _merge(data, _env_layer(env))
    data = _merge(data, overrides or {})
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"setting {where!r}: {first['msg']}",
            f"check {user_file or user_config_path(env)} and the repository's .hunkwise.toml",
        ) from exc
