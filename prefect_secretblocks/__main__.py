"""`python -m prefect_secretblocks` runs the CLI."""

from prefect_secretblocks.cli import main

main()
