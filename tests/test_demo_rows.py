"""The demo that tests get from rows kept of an earlier load (tests/conftest.py, put_demo) is
the demo that load made, row for row, with its counters true and its response log's chain whole."""
from __future__ import annotations

import sqlalchemy as sa

import tests.conftest as conftest
from codesign.extensions import db
from tests.conftest import assert_counters_agree, clean_tables, put_demo, read_rows


def _by_table(tables) -> dict[str, list[tuple]]:
    found = {}
    for table, rows in tables:
        key = [column.name for column in table.primary_key.columns] or [column.name for column in table.columns]
        found[table.name] = sorted((tuple(row[name] for name in key), sorted(row.items())) for row in rows)
    return found


def test_the_demo_put_back_from_rows_is_the_demo_loaded(app, monkeypatch):
    from codesign.comments import counters
    from codesign.districts.service import get_district
    from codesign.responselog.service import verify_district
    from codesign.review import participants
    from codesign.votes import counters as vote_counters

    monkeypatch.setattr(conftest, "_demo_rows", {})
    put_demo(app)  # a load through the services, whose rows are kept
    assert "rows" in conftest._demo_rows
    with app.app_context():
        loaded = _by_table(read_rows())
    assert len(loaded) > 20 and len(loaded["comment"]) > 50 and loaded["comment_count"]
    clean_tables(app)

    put_demo(app)  # the kept rows
    with app.app_context():
        assert _by_table(read_rows()) == loaded
        for module in (counters, vote_counters, participants):
            assert_counters_agree(module, "the demo put back")
        chain = verify_district(get_district("riverside").id)
        assert chain.ok and chain.entries > 0


def test_a_database_that_is_not_empty_gets_the_demo_loaded_for_real(app, make_district, monkeypatch):
    from codesign.districts.models import District

    monkeypatch.setattr(conftest, "_demo_rows", {})
    put_demo(app)
    kept = conftest._demo_rows["rows"]
    clean_tables(app)

    make_district(slug="lakeview", name="Lakeview Schools")
    put_demo(app)
    with app.app_context():
        assert set(db.session.scalars(sa.select(District.slug))) == {"lakeview", "riverside"}
    assert conftest._demo_rows["rows"] is kept  # (a load on top of other rows is not kept)


def test_rows_put_back_after_the_tables_were_made_anew_leave_room_for_new_ones(app, monkeypatch):
    """A test that migrates down and up again makes every table anew, and PostgreSQL's id
    sequences start again at 1: new rows must still get ids after the kept ones, or a later test
    that adds a row fails on a duplicate key, depending on which tests its worker ran before."""
    from flask_migrate import downgrade, upgrade

    from codesign.accounts.models import StakeholderGroup, User
    from codesign.accounts.service import register_user

    monkeypatch.setattr(conftest, "_demo_rows", {})
    put_demo(app)  # kept
    clean_tables(app)
    with app.app_context():
        downgrade(revision="base")
        upgrade()
    put_demo(app)  # the kept rows, into the new tables
    with app.app_context():
        newcomer = register_user(username="newcomer", password="password123", email=None,
                                 stakeholder_group=StakeholderGroup.FAMILY, preferred_locale="en")
        db.session.commit()
        assert newcomer.id > db.session.scalar(sa.select(sa.func.max(User.id)).where(User.username != "newcomer"))
