"""``python -m trackpack``: the same as the ``trackpack`` command."""
import sys

from .cli import main

sys.exit(main())
