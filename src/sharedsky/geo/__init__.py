"""Geodesy and shapes on WGS84: outlines, local frames, cell coverings; imports nothing of ours."""
