"""`python -m harness`: the command line (harness/cli)."""

import sys

from .cli import main

sys.exit(main())
