"""``python -m supplywatch_cli``: the ``supplywatch`` command without installing it."""

import sys

from . import main

sys.exit(main())
