"""Event delivery below the use cases: the in-process wake-up bus and the per-stream cursor and
SSE framing, and the board of the checkpoints streams pass on; it may import ``store``,
``ledger`` and ``domain``, never ``service``, ``api`` or ``wire``."""
