"""The API as `seawall serve` runs it, for the benchmark: one uvicorn process, a chosen database and classifier."""

from __future__ import annotations

import argparse
import logging
import sys


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--home", required=True)
    p.add_argument("--classifier", choices=("fake", "real"), default="fake")
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    import uvicorn

    from seawall.api import create_app
    from seawall.api.testing import fake_moderate
    from seawall.settings import Settings
    from seawall.storage.db import Database

    db = Database(args.db)
    db.upgrade()
    settings = Settings.from_env({"SEAWALL_HOME": args.home, "SEAWALL_DATABASE_URL": args.db})
    app = create_app(settings, db=db, keys=[], moderate=fake_moderate if args.classifier == "fake" else None)
    print("serving", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="error", access_log=False)


if __name__ == "__main__":
    sys.exit(main())
