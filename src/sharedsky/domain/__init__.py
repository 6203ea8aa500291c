"""The pure model and rules of a mechanism; imports geo only, never I/O frameworks or the wire."""
