"""The Alembic migrations build exactly the schema the models describe, and go down and up again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from store.db import MIGRATIONS, Database
from store.models import Base


def _config(conn) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def test_migrated_schema_matches_the_models(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    db.migrate()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.dispose()


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    db.migrate()
    with db.engine.connect() as conn:
        command.downgrade(_config(conn), "base")
        conn.commit()
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    db.migrate()
    indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("activity")}
    assert indexes == {"ix_activity_team_lead_time", "ix_activity_team_time"}
    db.dispose()


def test_0011_gives_existing_organizations_their_name_without_spaces(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    with db.engine.connect() as conn:
        command.upgrade(_config(conn), "0010")
        conn.commit()
        conn.execute(text("INSERT INTO team (id, pipeline, settings, created_at) "
                          "VALUES ('T1', 'lifecycle', '{}', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO organization (team_id, name, name_key, tags, status, created_at) "
                          "VALUES ('T1', '부산 베이커리', '부산 베이커리', '[]', 'New', '2026-01-01 00:00:00')"))
        conn.commit()
        command.upgrade(_config(conn), "head")
        conn.commit()
        assert conn.execute(text("SELECT compact_key FROM organization")).scalar() == "부산베이커리"
    db.dispose()
