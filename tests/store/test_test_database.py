"""The tests' own database: TEST_DATABASE_URL names a server, never the data. A table someone keeps in the
database that URL names survives the suite's set-up and clean-up, and the tests run somewhere else."""

from __future__ import annotations

import os
import secrets

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from store.db import Database
from tests.conftest import empty, scratch_database


def test_the_suite_never_works_in_the_database_the_url_names(database, tmp_path):
    if database.dialect == "sqlite":  # a file of this run's own, in pytest's temporary folder
        assert str(tmp_path.parents[1]) in make_url(database.url).database
        return
    named = make_url(os.environ["TEST_DATABASE_URL"])
    assert make_url(database.url).database != named.database
    assert make_url(database.url).database.startswith("crm_test_")
    theirs, keep = create_engine(named), f"kept_{secrets.token_hex(4)}"
    try:
        with theirs.begin() as conn:  # what someone keeps in the database the URL names
            conn.execute(text(f"CREATE TABLE {keep} (id integer primary key, note text)"))
            conn.execute(text(f"INSERT INTO {keep} VALUES (1, 'a real customer')"))
        with scratch_database(os.environ["TEST_DATABASE_URL"]) as url:  # a whole set-up and clean-up
            scratch = Database(url)
            scratch.migrate()
            empty(scratch)
            assert "lead" in inspect(scratch.engine).get_table_names()
            scratch.dispose()
        with theirs.connect() as conn:
            assert conn.execute(text(f"SELECT note FROM {keep}")).scalars().all() == ["a real customer"]
            gone = conn.execute(text("SELECT count(*) FROM pg_database WHERE datname = :n"),
                                {"n": make_url(url).database}).scalar()
        assert gone == 0, "the scratch database is dropped afterwards"
    finally:
        with theirs.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {keep}"))
        theirs.dispose()
