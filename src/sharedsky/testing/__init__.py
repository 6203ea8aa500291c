"""Test doubles shared by tests, the demo and benchmarks (fake clock, sequential ids)."""
