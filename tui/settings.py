"""Settings for the terminal app (no Textual import: the settings loader reads this headless)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class UISettings(BaseModel):
    """Key bindings and look of the app."""

    model_config = ConfigDict(extra="forbid")

    keys: dict[str, str] = Field(
        default_factory=dict,
        description="Rebind actions: action name -> comma-separated keys (e.g. accept = 'y,a').",
    )
    theme: str | None = Field(None, description="Textual theme name.")
    build_map_on_start: bool = Field(
        True, description="Build the repo map in the background when the app opens."
    )
