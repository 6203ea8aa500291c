"""The Python SDK of the sharedsky HTTP API (httpx); it imports only ``sharedsky.wire``."""

from sharedsky.client.errors import (
    AuthError,
    ClientError,
    NotFoundError,
    StaleVersionError,
    UnreachableError,
)
from sharedsky.client.sdk import Client

__all__ = [
    "AuthError",
    "Client",
    "ClientError",
    "NotFoundError",
    "StaleVersionError",
    "UnreachableError",
]
