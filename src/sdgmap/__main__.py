"""``python -m sdgmap`` runs the command line."""

from sdgmap.cli import main

main()
