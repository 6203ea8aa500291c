"""The routers of API version 1."""
