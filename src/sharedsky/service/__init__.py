"""Use cases: the only place that opens a transaction; imports domain, detect, geo and store."""
