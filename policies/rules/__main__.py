"""`python -m policies.rules PATH...`: the same as `vaultctl lint-policy PATH...`, without the CLI installed."""

import sys

from policies.rules.cli import lint_cli

sys.exit(lint_cli(sys.argv[1:]))
