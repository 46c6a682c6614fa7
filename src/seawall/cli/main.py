"""The `seawall` command: one subcommand module per verb, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from seawall import __version__
from seawall.errors import SeawallError

# Subcommand modules under seawall.cli, in the order `seawall --help` lists them.
COMMANDS = ("scan", "serve", "train", "eval", "bank", "policy", "worker", "db")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seawall", description="Open trust & safety platform.")
    parser.add_argument("--version", action="version", version=f"seawall {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"seawall.cli.{name}")
        except ModuleNotFoundError as exc:
            # Only a missing subcommand module is tolerated; a broken dependency is not.
            if exc.name != f"seawall.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except SeawallError as exc:
        print(f"seawall: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
