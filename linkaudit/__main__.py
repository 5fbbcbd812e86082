"""`python -m linkaudit`."""

from linkaudit.cli import main

main()
