"""Scenario generation for the demo and benchmarks; imports wire, never service or api."""
