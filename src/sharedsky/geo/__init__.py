"""Geodesy and shapes on WGS84: outlines, local frames, cell coverings, states of moving aircraft;
imports nothing of ours."""
