"""Event delivery below the use cases: the in-process wake-up bus and the per-stream cursor and
SSE framing; it may import ``store`` and ``domain``, never ``service``, ``api`` or ``wire``."""
