"""`python -m demine.cli`."""

from demine.cli import main

main()
