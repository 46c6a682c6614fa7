"""Alembic migrations shipped inside the package, so `seawall db upgrade` works from an install."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def config(url: str, *, engine=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    # ConfigParser treats % as interpolation; URLs may carry escaped passwords.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(url: str, revision: str = "head", *, engine=None) -> None:
    from alembic import command

    command.upgrade(config(url, engine=engine), revision)


def current(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config("sqlite://")).get_current_head()
