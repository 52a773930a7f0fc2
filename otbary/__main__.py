"""``python -m otbary``: the same as the ``otbary`` command."""

import sys

from .cli import main

sys.exit(main())
