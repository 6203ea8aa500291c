"""The typed settings of a sharedsky process, read from SHAREDSKY_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting has a default, a description, and its unit in its name if it is a quantity."""

    model_config = SettingsConfigDict(env_prefix="SHAREDSKY_", extra="ignore")

    db: str = Field(
        default="sqlite:///sharedsky.db",
        description="Database URL: sqlite:///PATH (default) or postgresql://USER@HOST:PORT/DB.",
    )
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        default="NORMAL",
        description=(
            "SQLite's `PRAGMA synchronous` in WAL mode for the processes that write (`serve`, "
            "`init`, `restore`): NORMAL loses no answered write when a process is killed, but "
            "a power cut may lose the last ones; FULL waits for the disk on every commit and "
            "loses none (docs/settings.md, Durability)."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port the server listens on.")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description=(
            "Server processes `serve` runs on its one port (PostgreSQL only above 1); one of "
            "them at a time runs the periodic duties, elected by an advisory lock."
        ),
    )
    duty_retry_s: float = Field(
        default=1.0,
        gt=0,
        le=10,
        description=(
            "Seconds between two tries of a `serve` process that does not hold the periodic "
            "duties to take them (and checks of the holder that it still holds them): a dead "
            "holder's duties are taken over within about this long."
        ),
    )
    url: str = Field(
        default="http://127.0.0.1:8000", description="Server URL the CLI and SDK talk to."
    )
    token: str | None = Field(default=None, description="Operator bearer token of the CLI.")
    ca: Path | None = Field(
        default=None,
        description=(
            "PEM file of the CA certificates the CLI and SDK trust for an https:// server "
            "(default: the public CAs that httpx trusts)."
        ),
    )
    client_cert: Path | None = Field(
        default=None,
        description="PEM file of the client certificate the CLI presents (mutual TLS).",
    )
    client_key: Path | None = Field(
        default=None, description="PEM file of the private key of `client_cert`."
    )
    tls_cert: Path | None = Field(
        default=None,
        description=(
            "PEM file of the server's certificate chain: with `tls_key`, `serve` speaks HTTPS "
            "only (TLS 1.2 or later)."
        ),
    )
    tls_key: Path | None = Field(
        default=None, description="PEM file of the private key of `tls_cert` (unencrypted)."
    )
    tls_client_ca: Path | None = Field(
        default=None,
        description=(
            "PEM file of the CAs whose client certificates `serve` accepts: every connection "
            "must then present one (mutual TLS)."
        ),
    )
    keep_alive_s: int = Field(
        default=5,
        ge=1,
        description="Seconds an idle HTTP connection is kept open after a response.",
    )
    head_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description=(
            "Seconds a connection has to send a complete request line and headers, from its "
            "opening or the previous response; then it is closed."
        ),
    )
    body_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a client has to send a whole request body; then `408`.",
    )
    max_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        description=(
            "Largest request body accepted, in bytes; a larger one gets `413` before it is read "
            "whole. The default holds a `POST /v1/tracks` of `track_batch_max` states."
        ),
    )
    rate_limit_token_per_s: float = Field(
        default=50.0,
        gt=0,
        description="Requests per second one bearer token may make, sustained; beyond: `429`.",
    )
    rate_limit_token_burst: int = Field(
        default=200,
        ge=1,
        description="Requests one bearer token may make at once before its rate applies.",
    )
    rate_limit_address_per_s: float = Field(
        default=2000.0,
        gt=0,
        description="Requests per second one client address may make, sustained; beyond: `429`.",
    )
    rate_limit_address_burst: int = Field(
        default=4000,
        ge=1,
        description="Requests one client address may make at once before its rate applies.",
    )
    log_level: str = Field(default="info", description="Server log level (uvicorn).")
    log_format: Literal["text", "json"] = Field(
        default="text",
        description=(
            "Server log lines: `text`, or `json` (one object per line: time, level, logger, "
            "message, request_id within a request, exc_info), uvicorn's access and error "
            "logs included."
        ),
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description=(
            "TCP port of a second listener, bound to 127.0.0.1, that serves GET /metrics "
            "without a token (for a local Prometheus agent); none by default. /metrics on the "
            "API's port asks for a host operator's token."
        ),
    )
    warm_kernels: bool = Field(
        default=True,
        description=(
            "Load the tactical engine's compiled kernels when the server starts, before it "
            "answers, so that its first tactical tick is not late (about 1 s from Numba's cache, "
            "10 to 25 s cold). Off, the first track batch loads them: for a short-lived server "
            "that takes no tracks (the end-to-end tests' servers)."
        ),
    )
    gil_switch_interval_s: float = Field(
        default=0.005,
        gt=0,
        le=0.1,
        description=(
            "Python's thread switch interval in the server, in seconds: a thread that waits "
            "for the interpreter (a writer back from the database) gets it within this time. "
            "Shorter intervals answer a waiting thread sooner but switch more often (measured: "
            "benchmarks/README.md, Tuning)."
        ),
    )
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
    ledger_checkpoint_every: int = Field(
        default=1000,
        gt=0,
        description="Entries after which the server publishes a signed checkpoint on the streams.",
    )
    ledger_checkpoint_interval_s: float = Field(
        default=60.0,
        gt=0,
        description=(
            "Seconds after which the server publishes a signed checkpoint on the streams when "
            "the ledger grew (fewer than `ledger_checkpoint_every` entries)."
        ),
    )
    stream_poll_s: float = Field(
        default=0.2,
        gt=0,
        description=(
            "Seconds between two reads of the event log by an idle stream that no commit woke."
        ),
    )
    webhook_tick_s: float = Field(
        default=0.5,
        gt=0,
        description="Seconds between two delivery passes of `serve` over the webhooks.",
    )
    webhook_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="Seconds a webhook receiver has to answer one delivery.",
    )
    webhook_allow_private: bool = Field(
        default=False,
        description=(
            "Let webhooks target loopback, private, link-local and other non-public addresses "
            "(for tests and closed networks)."
        ),
    )
    webhook_allow_http: bool = Field(
        default=False, description="Let webhooks use plain http:// (default: https only)."
    )
    webhook_max_attempts: int = Field(
        default=8,
        ge=1,
        description="Failed attempts of one event after which it becomes a dead letter.",
    )
    webhook_backoff_cap_s: float = Field(
        default=60.0,
        gt=0,
        description="Longest wait between two attempts of one webhook delivery, in seconds.",
    )
    tactical_tick_s: float = Field(
        default=1.0,
        gt=0,
        description="Seconds between two tactical detection ticks of `serve` over the live tracks.",
    )
    tactical_lookahead_s: float = Field(
        default=300.0,
        gt=0,
        le=1800,
        description="How far ahead the tactical tick predicts losses of separation, in seconds.",
    )
    track_max_age_s: float = Field(
        default=20.0,
        gt=0,
        description="Track states older than this (by their own time) are dropped, in seconds.",
    )
    track_max_future_s: float = Field(
        default=5.0,
        ge=0,
        description="A track state more than this ahead of the server clock is refused (422).",
    )
    track_batch_max: int = Field(
        default=10_000,
        gt=0,
        description="Most track states in one POST /v1/tracks.",
    )

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        """Accept the level in any case (``full`` or ``FULL``)."""
        return value.upper() if isinstance(value, str) else value
