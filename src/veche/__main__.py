"""`python -m veche` runs the command line."""

from veche.cli import main

main()
