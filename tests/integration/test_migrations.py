"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import ivr.models  # noqa: F401  (every package's tables live on the shared metadata)
import ivr.recording_models  # noqa: F401
import knowledge_base.models  # noqa: F401
import workorders.assessment.models  # noqa: F401
import workorders.callcenter.figure_models  # noqa: F401
import workorders.callcenter.models  # noqa: F401
import workorders.quality.models  # noqa: F401
import workorders.stats.stored  # noqa: F401
from workorders.models import Base


def test_the_migrated_schema_matches_the_models(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    differences = compare_metadata(context, Base.metadata)
    assert differences == []
