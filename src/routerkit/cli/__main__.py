"""`python -m routerkit.cli`: the same as the `routerkit` command."""

from . import console_entry

console_entry()
