"""Alembic environment: the URL comes from the app's configuration (or -x url=...)."""
from __future__ import annotations

from alembic import context

import ivr.models  # noqa: F401  (each feature package registers its tables on the shared metadata)
import ivr.recording_models  # noqa: F401
import knowledge_base.models  # noqa: F401
import workorders.assessment.models  # noqa: F401
import workorders.attachments.models  # noqa: F401
import workorders.audit  # noqa: F401
import workorders.callcenter.figure_models  # noqa: F401
import workorders.callcenter.models  # noqa: F401
import workorders.citizen.models  # noqa: F401
import workorders.jobs.models  # noqa: F401
import workorders.notifications.models  # noqa: F401
import workorders.quality.models  # noqa: F401
import workorders.sign_in  # noqa: F401
import workorders.stats.models  # noqa: F401
import workorders.stats.stored  # noqa: F401
import workorders.suggest.models  # noqa: F401
import workorders.throttle  # noqa: F401
from workorders.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    from hotline.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        # No pooled connection outlives the upgrade: a database just migrated can then serve as
        # another's template (PostgreSQL refuses a template that has sessions) or be copied as a file.
        engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `hotline db upgrade`")
run_migrations_online()
