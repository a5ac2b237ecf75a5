"""`python -m kscrape` runs the command line."""

from kscrape.cli import main

main()
