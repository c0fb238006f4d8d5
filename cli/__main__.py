"""``python -m cli``: the ``corridor-atlas`` command without the console script."""

import sys

from cli import main

sys.exit(main())
