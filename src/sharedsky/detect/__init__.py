"""Pure conflict engines over volumes and tracks; imports `sharedsky.geo`, nothing else of ours.

The tactical engine's defaults are here, where the command line reads them without loading the
engines (and NumPy)."""

DEFAULT_LOOKAHEAD_S = 300.0
"""How far ahead the tactical engine predicts, seconds."""
DEFAULT_LATERAL_M = 9_260.0
"""Lateral separation minimum, metres (5 NM)."""
DEFAULT_VERTICAL_M = 304.8
"""Vertical separation minimum, metres (1,000 ft)."""
