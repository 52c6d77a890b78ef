"""What a CI job needs from a stack file, as `key=value` lines for `$GITHUB_OUTPUT`.

The workflows read the Vault address, the JWT mount, the role names and the OIDC audience from the
stack config instead of repeating them in YAML, so the stack file stays the one source of truth
(DESIGN.md). Deploy jobs log in as `deployer_role`, preview and drift jobs as `previewer_role`; both
request the ID token with `oidc_audience` (GitHub's `core.getIDToken(audience)`, or the Vault action's
`jwtGithubAudience`): the roles refuse GitHub's default audience. Only non-secret values are printed.

    python -m infra.ops.ci_env staging >> "$GITHUB_OUTPUT"
"""

from __future__ import annotations

import sys

from infra.config import ConfigError, parse_stack_config
from infra.harness import read_stack_config
from infra.vault.acl import DEPLOYER, PREVIEWER


def stack_env(stack: str) -> dict[str, str]:
    cfg = parse_stack_config(read_stack_config(stack))
    return {
        "vault_address": cfg.vault.address,
        "jwt_path": cfg.github_oidc.path,
        "oidc_audience": cfg.deployer.oidc_audience(),
        "deployer_role": DEPLOYER,
        "previewer_role": PREVIEWER,
        "github_environment": cfg.deployer.environment,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m infra.ops.ci_env STACK", file=sys.stderr)
        return 2
    try:
        values = stack_env(args[0])
    except (ConfigError, FileNotFoundError) as err:
        print(f"ci_env: {err}", file=sys.stderr)
        return 1
    for key, value in values.items():
        # A newline in a value would inject extra outputs into $GITHUB_OUTPUT.
        if "\n" in value or "\r" in value:
            print(f"ci_env: {key} contains a newline", file=sys.stderr)
            return 1
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
