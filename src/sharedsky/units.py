"""Named unit conversion constants; every quantity elsewhere carries its unit in its name."""

NM_M = 1852.0
"""One nautical mile in metres."""
FT_M = 0.3048
"""One foot in metres."""
FL_M = 100 * FT_M
"""One flight level (100 ft of pressure altitude, treated as metres AMSL here) in metres."""
KT_MPS = NM_M / 3600.0
"""One knot in metres per second."""
DAY_S = 86_400
"""One day in seconds."""
FPM_MPS = FT_M / 60.0
"""One foot per minute (vertical rate) in metres per second."""
