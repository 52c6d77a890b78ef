"""Pulumi entry point (`main: infra` in Pulumi.yaml): the stack's table of contents lives in program.py."""

from infra.program import main

main()
