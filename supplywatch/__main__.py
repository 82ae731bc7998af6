"""`python -m supplywatch`: staff accounts and public alert files from the command line."""

import sys

from .cli import main

sys.exit(main())
