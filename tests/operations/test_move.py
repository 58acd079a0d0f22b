"""`flask move-to-postgres`: the demo, moved from the embedded SQLite file into an empty
PostgreSQL database, arrives whole (every row of every table), new rows continue the ids, and a
second move into a database that is not empty is refused."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_URL, make_test_app

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="moving to PostgreSQL needs one (set CODESIGN_TEST_DATABASE_URL; CI does)")


@pytest.fixture
def empty_postgres():
    from codesign.config import normalize_database_url
    from codesign.operations.scratch import scratch_database, unique_name

    with scratch_database(normalize_database_url(POSTGRES_URL), unique_name("codesign_move")) as database:
        yield database.render_as_string(hide_password=False)


@pytest.fixture
def sqlite_demo(tmp_path):
    from flask_migrate import upgrade

    from codesign.demo import load_demo
    from codesign.extensions import db

    source = make_test_app(f"sqlite:///{tmp_path / 'embedded.sqlite3'}", tmp_path)
    with source.app_context():
        upgrade()
        load_demo()
    yield source
    with source.app_context():
        db.engine.dispose()


def _everything(engine) -> dict[str, list[tuple]]:
    from codesign.extensions import db

    found = {}
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            keys = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*keys)).all()
            found[table.name] = [tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in rows]
    return found


def test_the_demo_moves_to_postgres_whole(sqlite_demo, empty_postgres):
    from codesign.extensions import db

    result = sqlite_demo.test_cli_runner().invoke(args=["move-to-postgres", empty_postgres])
    assert result.exit_code == 0, result.output
    assert "every table compared equal" in result.output
    with sqlite_demo.app_context():
        before = _everything(db.engine)
    target = sa.create_engine(empty_postgres.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        after = _everything(target)
        assert sum(len(rows) for rows in before.values()) > 1000
        assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
        assert after == before
        # New rows continue after the copied ids (the sequences were moved on).
        with target.begin() as connection:
            new_id = connection.execute(sa.text(
                "INSERT INTO district (slug, name, languages, default_locale, timezone, suppression_threshold, "
                "privacy_contact, student_id_formats, require_two_factor, created_at) VALUES "
                "('lakeview', 'Lakeview', 'en', 'en', 'UTC', 10, '', '', false, now()) RETURNING id")).scalar()
            assert new_id > max(row[0] for row in before["district"])
    finally:
        target.dispose()
    # Moving again into a database that now holds rows is refused, and changes nothing.
    again = sqlite_demo.test_cli_runner().invoke(args=["move-to-postgres", empty_postgres])
    assert again.exit_code != 0 and "not empty" in again.output
