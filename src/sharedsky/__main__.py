"""``python -m sharedsky`` runs the CLI."""

from sharedsky.cli import main

main()
