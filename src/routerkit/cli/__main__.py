"""`python -m routerkit.cli`: the same as the `routerkit` command."""

import sys

from . import main

sys.exit(main())
