"""Fixtures: one app and database per test run (SQLite, or PostgreSQL when configured)."""
from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from codesign import create_app
from codesign.extensions import db as _db
from codesign.extensions import limiter

RUN_ID = uuid.uuid4().hex[:12]
POSTGRES_URL = os.environ.get("CODESIGN_TEST_DATABASE_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("CODESIGN_REQUIRE_POSTGRES") == "1"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_collection_modifyitems(config, items):
    """Start first the tests that share a costly module fixture, then the longest tests, then
    the other browser tests, then the rest.

    With several workers (pytest -n), a worker that runs out of tests takes half of the tests
    another has not started yet, from the end of its list (--dist worksteal); a test that is
    running cannot be shared. A run therefore ends together on every worker only if what is left
    at the end is short: a crawl of every page that starts last keeps one worker busy for minutes
    while the others wait. And a worker's first tests are never taken from it: tests that start
    first run in one stretch on each worker that has them, so a module fixture they share is built
    once per worker (at the start, in parallel), not again when a worker comes back to the module
    after others. (The order within each group is the order of collection.)"""
    def started(item) -> int:
        for rank, marker in enumerate(("together", "long", "browser")):
            if item.get_closest_marker(marker):
                return rank
        return 3

    items.sort(key=started)


def _postgres_database():
    """Create a database with a name unique to this run; yield its URL; drop it afterwards."""
    from codesign.config import normalize_database_url

    admin_url = sa.make_url(normalize_database_url(POSTGRES_URL))
    name = f"codesign_test_{RUN_ID}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        engine.dispose()
        message = f"PostgreSQL at {admin_url.render_as_string()} is not reachable: {error}"
        if REQUIRE_POSTGRES or os.environ.get("CI"):
            pytest.exit(message, returncode=3)
        pytest.skip(message, allow_module_level=True)
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if POSTGRES_URL:
        yield from _postgres_database()
    else:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


def make_test_app(database_url: str, instance_path: Path, **overrides):
    os.environ["CODESIGN_INSTANCE_PATH"] = str(instance_path)
    config = {
        "ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-" + RUN_ID,
        "PASSWORD_HASH_PROFILE": "cheapest",
        "RATELIMIT_KEY_PREFIX": f"codesign-test-{RUN_ID}",
        "REDIS_URL": None,
        "SERVER_NAME": None,
        "MAIL_BACKEND": "memory",
        "SEARCH_BACKGROUND": False,
        "PAGE_CACHE_SECONDS": "0",  # tests read their own writes at once; tests/test_pagecache.py turns it on
        "FRAGMENT_KEY_CHECKS": True,  # every fragment key a page makes shows its content (codesign/fragments.py)
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url, instance_path):
    app = make_test_app(database_url, instance_path)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_state(request, app):
    """Every test starts with empty tables and fresh rate limits, whatever ran before."""
    yield
    clean_tables(app)


def clean_tables(app) -> None:
    """Empty every table, reset rate limits and forget captured email."""
    from codesign.operations.move import DERIVED_TABLES

    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Everything goes: no counter trigger needs to follow each deleted row.
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            tables = list(reversed(_db.metadata.sorted_tables))
            # The counters first, so that on SQLite the triggers of the rows deleted after them
            # find nothing left to update.
            derived = [t for t in tables if t.name in DERIVED_TABLES]
            for table in derived + [t for t in tables if t not in derived]:
                if table.name == "audit_event":
                    _clear_audit_log(conn)
                else:
                    conn.execute(table.delete())
        limiter.reset()
        app.extensions.pop("codesign.outbox", None)


def text_columns(engine):
    """Every column that holds text in this database (a type that is text on one database and
    something else on the other, like the search index's id lists, counts as what it is here)."""
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type.dialect_impl(engine.dialect)
            if isinstance(kind, sa.TypeDecorator):
                kind = kind.load_dialect_impl(engine.dialect)
            if isinstance(kind, sa.String):
                yield table, column


def _clear_audit_log(conn) -> None:
    """The audit log refuses deletes (a trigger): tests start it afresh by other means."""
    from codesign.audit.models import GUARDS, UNGUARDS

    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("TRUNCATE audit_event"))
        return
    for statement in UNGUARDS["sqlite"]:
        conn.execute(sa.text(statement))
    conn.execute(sa.text("DELETE FROM audit_event"))
    for statement in GUARDS["sqlite"]:
        conn.execute(sa.text(statement))


@pytest.fixture
def other_app(database_url, tmp_path):
    """Factory for a second app on the same database with other settings; closes its pool."""
    made = []

    def make(**overrides):
        made.append(make_test_app(database_url, tmp_path, **overrides))
        return made[-1]

    yield make
    for extra in made:
        with extra.app_context():
            for engine in _db.engines.values():
                engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(response) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


class Browser:
    """A test client that posts forms the way a browser does: with the page's CSRF token."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, *, token_from=None, **kw):
        page = self.client.get(token_from or url)
        payload = {"csrf_token": csrf_from(page)}
        payload.update(data or {})
        return self.client.post(url, data=payload, **kw)

    def sign_in(self, login, password="password123"):
        response = self.post("/login", {"login": login, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)
        return response

    def sign_out(self):
        return self.post("/logout", token_from="/privacy")


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def make_user(app):
    """Factory: make_user("maria", email=..., roles={district: [Role.STAFF]}, is_admin=True)."""
    from codesign.accounts.models import StakeholderGroup
    from codesign.accounts.service import register_user
    from codesign.districts.service import grant_role

    def make(username="maria", password="password123", *, email=None, is_admin=False,
             group=StakeholderGroup.FAMILY, locale="en", roles=None):
        with app.app_context():
            user = register_user(username=username, password=password, email=email,
                                 stakeholder_group=group, preferred_locale=locale)
            user.is_admin = is_admin
            _db.session.commit()
            for district, district_roles in (roles or {}).items():
                district = _db.session.merge(district)
                for role in district_roles:
                    grant_role(district, user, role)
            _db.session.refresh(user)
            _db.session.expunge(user)
            return user

    return make


@pytest.fixture
def make_district(app):
    """Factory: make_district(slug="lakeview", languages=["en", "es"], ...)."""
    from codesign.districts.service import create_district

    def make(slug="riverside", name="Riverside Unified School District", *,
             languages=("en", "es", "ar"), default_locale="en", threshold=10,
             privacy_contact="privacy@riverside.example.org"):
        with app.app_context():
            district = create_district(
                slug=slug, name=name, language_codes=list(languages),
                default_locale=default_locale, timezone="America/Los_Angeles",
                suppression_threshold=threshold, privacy_contact=privacy_contact,
            )
            _db.session.refresh(district)
            _db.session.expunge(district)
            return district

    return make


@pytest.fixture
def count_queries(app):
    """Context manager counting the SQL statements a block runs: `with count_queries() as n:`;
    n["statements"] holds each different statement with the parameters it first ran with."""
    @contextmanager
    def counting():
        counter = {"n": 0, "statements": {}}

        def before(_conn, _cursor, statement, parameters, _context, executemany):
            counter["n"] += 1
            if not executemany:
                counter["statements"].setdefault(statement, parameters)

        with on_each_statement(app, before):
            yield counter

    return counting


@contextmanager
def on_each_statement(app, before):
    """Call `before` (with SQLAlchemy's before_cursor_execute arguments) as each SQL statement the
    block runs is sent."""
    with app.app_context():
        engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def district_named(app, slug: str = "riverside"):
    """A district already made, detached from the session (to hand to make_user's roles)."""
    from codesign.districts.models import District

    with app.app_context():
        district = _db.session.scalar(sa.select(District).where(District.slug == slug))
        _db.session.expunge(district)
        return district


@pytest.fixture
def make_open_proposal(app, make_district, make_user):
    """Factory: a district with a staff member and one proposal open for input; returns its id."""
    from datetime import timedelta

    from codesign.db import utcnow
    from codesign.districts.models import Role
    from codesign.proposals import service as proposals
    from tests.proposals.test_views import CARD

    def make(threshold=10):
        district = make_district(threshold=threshold)
        staff = make_user("staff", roles={district: [Role.STAFF]})
        with app.app_context():
            proposal = proposals.create_proposal(_db.session.merge(district), staff, CARD)
            now = utcnow()
            proposals.publish_version(proposal, opens_at=now - timedelta(days=1),
                                      closes_at=now + timedelta(days=7))
            return proposal.id

    return make


@pytest.fixture
def demo_data(app):
    """The demo district (codesign/demo.py), loaded into the test database."""
    put_demo(app)


DEMO_ROWS_KEPT = 300  # seconds
_demo_rows: dict = {}


def put_demo(app) -> None:
    """Load the demo district into the (empty) test database.

    Through the services, the demo is about 700 statements: a second on PostgreSQL, and tests ask
    for it a hundred times in a run. So each test process loads it for real, keeps the rows that
    load made, and puts those back in later tests, as they were (ids, counters and hashes
    included; tests/test_demo_rows.py checks it). The rows are at most DEMO_ROWS_KEPT old: after
    that, or if the database was not empty, it loads the demo for real again. Times in the demo
    are then as of that load, a few minutes back at most; the demo's own times are hours and days
    back."""
    import time

    from codesign.demo import load_demo

    with app.app_context():
        empty = not any(_rows_in(table) for table in _db.metadata.sorted_tables)
        kept = _demo_rows.get("rows")
        if empty and kept is not None and time.monotonic() - _demo_rows["at"] < DEMO_ROWS_KEPT:
            write_rows(kept)
            return
        load_demo()
        _db.session.remove()
        if empty:
            _demo_rows.update(rows=read_rows(), at=time.monotonic())


def _rows_in(table) -> bool:
    return _db.session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None


def read_rows() -> list[tuple[sa.Table, list[dict]]]:
    """Every row of every table, the tables in the order their references allow."""
    with _db.engine.connect() as conn:
        return [(table, rows) for table in _db.metadata.sorted_tables
                if (rows := [dict(row) for row in conn.execute(sa.select(table)).mappings()])]


def write_rows(tables: list[tuple[sa.Table, list[dict]]]) -> None:
    """Put rows read by read_rows back into empty tables, exactly: the counters that triggers keep
    (DERIVED_TABLES) come back as they were read, not as the triggers would count them again."""
    from codesign.operations.move import DERIVED_TABLES, serial_sequence

    _db.session.remove()
    with _db.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:  # (no triggers: no counting, and no foreign key checks in between)
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table, rows in tables:
            if postgres or table.name not in DERIVED_TABLES:
                conn.execute(table.insert(), rows)
        if postgres:  # new rows' ids come after the kept ones, even in tables made anew since those
            # were read (a test that migrates down and up again restarts every id sequence)
            for table, rows in tables:
                if found := serial_sequence(conn, table):
                    sequence, key = found
                    conn.execute(sa.text(f"SELECT setval('{sequence}', GREATEST(:top, (SELECT last_value "
                                         f"FROM {sequence})))"), {"top": max(row[key] for row in rows)})
        if not postgres:  # (SQLite's triggers counted the rows as they came: the count kept wins)
            for table in _db.metadata.sorted_tables:
                if table.name in DERIVED_TABLES:
                    conn.execute(table.delete())
            for table, rows in tables:
                if table.name in DERIVED_TABLES:
                    conn.execute(table.insert(), rows)


def assert_counters_agree(counters, message: str = "") -> None:
    """The counters a module keeps by triggers (its differences() with a recount) are right."""
    with _db.engine.connect() as connection:
        found = counters.differences(connection)
    assert not found, f"{message}: counters differ from a recount: {found}"
