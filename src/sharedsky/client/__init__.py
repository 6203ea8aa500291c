"""The Python SDK of the sharedsky HTTP API (httpx); it imports only ``sharedsky.wire``."""

from sharedsky.client.sdk import (
    AuthError,
    Client,
    ClientError,
    NotFoundError,
    StaleVersionError,
    UnreachableError,
)

__all__ = [
    "AuthError",
    "Client",
    "ClientError",
    "NotFoundError",
    "StaleVersionError",
    "UnreachableError",
]
