"""sharedsky: the software of a deconfliction mechanism for parties sharing an airspace.

Importing this package does nothing beyond defining names.
"""

__version__ = "0.1.0"
