"""`python -m builder.cli`: the `book` command."""
import sys

from builder.cli.main import main

sys.exit(main())
