"""Import every module that defines tables, so Base.metadata is complete for Alembic and tests."""

from __future__ import annotations

import importlib
import logging

from sqlalchemy import MetaData

from seawall.storage.base import Base

log = logging.getLogger(__name__)

# Modules whose tables are always present, then those of optional stages.
REQUIRED = ("seawall.storage.tables", "seawall.review.queue")
OPTIONAL = ("seawall.banks.tables", "seawall.review.tables", "seawall.feedback.tables")


def load_all() -> MetaData:
    for name in REQUIRED:
        importlib.import_module(name)
    for name in OPTIONAL:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists but something it needs does not
                raise
            log.debug("no tables from %s yet", name)
    return Base.metadata
