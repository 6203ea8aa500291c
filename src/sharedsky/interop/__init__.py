"""Formats ↔ domain values, one module per format; imports domain and geo, never service or api."""
