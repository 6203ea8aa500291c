"""The HTTP API (FastAPI): routers, auth, the one wire ↔ domain conversion; calls service only."""
