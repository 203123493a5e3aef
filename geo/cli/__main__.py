"""``python -m geo.cli``: the same as the console script ``infrakaart``."""

import sys

from geo.cli import main

sys.exit(main())
