"""``python -m posture``: see ``posture.cli``."""

import sys

from .cli import main

sys.exit(main())
