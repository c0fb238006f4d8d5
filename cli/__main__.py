"""``python -m cli``: the ``corridor-atlas`` command without the console script."""

from cli import run

run()
