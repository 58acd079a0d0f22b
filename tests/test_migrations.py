"""Migrations build the whole schema on this database, and agree with the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from codesign.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "run: flask --app codesign db migrate -m '...'\n%s" % diff


def test_downgrade_to_base_and_back(app):
    with app.app_context():
        downgrade(revision="base")
        assert "user" not in db.inspect(db.engine).get_table_names()
        upgrade()
        assert {"user", "district", "membership"} <= set(db.inspect(db.engine).get_table_names())


def test_suite_runs_on_the_database_it_was_given(app):
    from tests.conftest import POSTGRES_URL

    expected = "postgresql" if POSTGRES_URL else "sqlite"
    with app.app_context():
        assert db.engine.dialect.name == expected


def test_every_counter_trigger_is_in_the_migrated_database(app):
    """Counters are kept by triggers that the migrations create. On SQLite, a later migration that
    rebuilds a table (Alembic's batch mode copies it to a new one) would drop its triggers
    silently: this names the ones missing."""
    import re

    import sqlalchemy as sa

    from codesign.comments import counters
    from codesign.review import participants
    from codesign.votes import counters as vote_counters

    with app.app_context():
        dialect = db.engine.dialect.name
        expected = {re.search(r"CREATE TRIGGER (\w+)", statement).group(1)
                    for module in (counters, participants, vote_counters)
                    for statement in module.TRIGGERS[dialect] if statement.startswith("CREATE TRIGGER")}
        with db.engine.connect() as connection:
            if dialect == "sqlite":
                found = set(connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            else:
                found = set(connection.execute(sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
    assert len(expected) >= 10 and expected <= found, sorted(expected - found)
