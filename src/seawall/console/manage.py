"""Console accounts from the command line: the first admin has to come from somewhere.

    python -m seawall.console.manage add-user NAME --role admin [--queues "*,child-safety"]

The password is read from SEAWALL_CONSOLE_PASSWORD or prompted for, never taken as an
argument (it would land in the shell history and the process list).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from seawall.errors import SeawallError
from seawall.review.roles import ROLES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seawall.console.manage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-user", help="create a console account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--queues", default="", help='comma-separated queue names; "*" for every unrestricted queue')
    add.add_argument("--display-name", default="")
    sub.add_parser("list-users", help="the accounts and their grants")
    args = parser.parse_args(argv)

    from seawall.console.app import ensure_tables
    from seawall.review import users
    from seawall.storage.db import open_database

    from sqlalchemy import inspect

    db = open_database()
    try:
        if "decisions" not in inspect(db.engine).get_table_names():
            print("error: the database has no Seawall tables yet; run `seawall db upgrade` first", file=sys.stderr)
            return 2
        ensure_tables(db)
        if args.command == "list-users":
            with db.session() as s:
                for u in users.list_users(s):
                    print(f"{u.username}\t{u.role}\t{','.join(u.queues)}\t{'active' if u.active else 'disabled'}")
            return 0
        password = os.environ.get("SEAWALL_CONSOLE_PASSWORD") or getpass.getpass(f"password for {args.username}: ")
        queues = [q.strip() for q in args.queues.split(",") if q.strip()]
        with db.session() as s:
            users.create_user(s, args.username, password, role=args.role, queues=queues,
                              display_name=args.display_name)
        print(f"created {args.username} ({args.role})")
        return 0
    except SeawallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()


if __name__ == "__main__":
    sys.exit(main())
