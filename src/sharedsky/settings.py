"""The typed settings of a sharedsky process, read from SHAREDSKY_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting has a default, a description, and its unit in its name if it is a quantity."""

    model_config = SettingsConfigDict(env_prefix="SHAREDSKY_", extra="ignore")

    db: str = Field(
        default="sqlite:///sharedsky.db",
        description="Database URL: sqlite:///PATH (default) or postgresql://USER@HOST:PORT/DB.",
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port the server listens on.")
    url: str = Field(
        default="http://127.0.0.1:8000", description="Server URL the CLI and SDK talk to."
    )
    token: str | None = Field(default=None, description="Operator bearer token of the CLI.")
    log_level: str = Field(default="info", description="Server log level (uvicorn).")
    deadline_tick_s: float = Field(
        default=1.0,
        gt=0,
        description="Seconds between two looks of the server for overdue acknowledgements.",
    )
    stream_keepalive_s: float = Field(
        default=15.0,
        gt=0,
        description="Seconds of silence after which an event stream sends a keep-alive comment.",
    )
