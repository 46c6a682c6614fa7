"""`seawall db`: apply and inspect schema migrations (shipped in the package)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="database migrations")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION")
    up = dsub.add_parser("upgrade", help="migrate the database to the latest schema")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=upgrade)
    cur = dsub.add_parser("current", help="print the applied and the latest revision")
    cur.set_defaults(func=current)
    rev = dsub.add_parser("revision", help="(developers) generate a migration from the table definitions")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=revision)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _url() -> str:
    from seawall.settings import get_settings

    settings = get_settings()
    settings.ensure_home()
    return settings.database_url


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def upgrade(args: argparse.Namespace) -> int:
    from seawall.migrations import current as cur, upgrade as up

    url = _url()
    up(url, args.revision)
    print(f"{_safe(url)}: at revision {cur(url)}")
    return 0


def current(args: argparse.Namespace) -> int:
    from seawall.migrations import current as cur, head

    url = _url()
    applied, latest = cur(url), head()
    print(f"{_safe(url)}: applied {applied or 'none'}, latest {latest}")
    return 0 if applied == latest else 1


def revision(args: argparse.Namespace) -> int:
    from alembic import command

    from seawall.migrations import config

    command.revision(config(_url()), message=args.message, autogenerate=True)
    return 0
