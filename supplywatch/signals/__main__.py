"""``python -m supplywatch.signals``: run every signal rule now (after a load, or from cron)."""

from .cli import main

raise SystemExit(main())
