"""The HTTP contract, versioned; Pydantic models only, importing nothing else of sharedsky."""
