"""Alembic environment: migrate Base.metadata (every Seawall table) on the configured database."""

from __future__ import annotations

from alembic import context

from seawall.storage.base import make_engine
from seawall.storage.schema import load_all

config = context.config
target_metadata = load_all()


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        # Batch mode lets ALTERs work on SQLite, which rebuilds tables to change them.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
