"""Running Alembic from the app: `hotline db upgrade`, and the test suite's schema."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, connection=None) -> None:
    # Each feature package keeps its own branch of migrations; "heads" applies them all.
    command.upgrade(alembic_config(url, connection), "heads")
