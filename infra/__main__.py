"""Pulumi entry point (`main: infra` in Pulumi.yaml): the stack's table of contents lives in program.py.

Only the real engine runs this file (the harness calls `infra.program.main` itself and keeps
`ConfigError` for tests): a bad stack config becomes `pulumi.RunError`, which the engine prints as one
clean message instead of a Python traceback.
"""

import pulumi

from infra.config import ConfigError
from infra.program import main

try:
    main()
except ConfigError as error:
    raise pulumi.RunError(str(error)) from None
