"""``python -m voting.tally``: see :mod:`voting.tally.cli`."""

import sys

from .cli import main

sys.exit(main())
