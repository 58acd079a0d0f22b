"""Move everything from the configured database (usually the embedded SQLite file) into an
empty PostgreSQL database, with nothing lost: the schema is created by the same migrations,
rows are copied table by table in dependency order, id sequences continue after the copied
rows, and every table's rows are compared afterwards."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from codesign.comments import counters
from codesign.extensions import db
from codesign.review import participants
from codesign.votes import counters as vote_counters

CHUNK = 2000
MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"
DERIVED_TABLES = counters.DERIVED_TABLES | participants.DERIVED_TABLES | vote_counters.DERIVED_TABLES  # triggers


class MoveError(Exception):
    pass


def migrate(url: str) -> None:
    """Bring the target's schema up to date with our migrations."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def tables() -> list[sa.Table]:
    return [table for table in db.metadata.sorted_tables]


def _rows(connection, table: sa.Table):
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=CHUNK).execute(sa.select(table).order_by(*order))
    for partition in result.mappings().partitions(CHUNK):
        yield [dict(row) for row in partition]


def move(target_url: str, report: Callable[[str], None] = lambda _line: None) -> dict[str, int]:
    """Copy every table into the (empty) target; returns rows copied per table."""
    source = db.engine
    target = sa.create_engine(target_url)
    try:
        if target.dialect.name != "postgresql":
            raise MoveError("The target must be a PostgreSQL database.")
        migrate(target_url)
        with target.connect() as connection:
            used = [t.name for t in tables() if connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()]
        if used:
            raise MoveError(f"The target database is not empty (rows in {', '.join(used)}); nothing was copied.")
        copied = {}
        with source.connect() as reading, target.begin() as writing:
            order = tables()
            later: list[tuple[sa.Table, sa.Column, list[dict]]] = []
            for position, table in enumerate(order):
                if table.name in DERIVED_TABLES:  # the target's triggers fill these as rows arrive
                    continue
                # A reference to a row not copied yet (its own table, or a later one: proposals
                # and their current version point at each other) goes in empty, then is filled in.
                ahead = [fk.parent for fk in table.foreign_keys
                         if fk.column.table is table or fk.column.table in order[position + 1:]]
                keys = list(table.primary_key.columns)
                count = 0
                for chunk in _rows(reading, table):
                    for column in ahead:
                        patches = [{"row_key": row[keys[0].name], "row_value": row[column.name]}
                                   for row in chunk if row[column.name] is not None]
                        if patches:
                            later.append((table, column, patches))
                        for row in chunk:
                            row[column.name] = None
                    writing.execute(table.insert(), chunk)
                    count += len(chunk)
                copied[table.name] = count
                report(f"{table.name}: {count} rows")
            for table, column, patches in later:
                key = list(table.primary_key.columns)[0]
                writing.execute(table.update().where(key == sa.bindparam("row_key"))
                                .values({column.name: sa.bindparam("row_value")}), patches)
            for table in order:
                _continue_sequence(writing, table)
        mismatched = compare(source, target)
        if mismatched:
            raise MoveError("Copied, but these tables differ: " + ", ".join(mismatched))
        return copied
    finally:
        target.dispose()


def serial_sequence(connection, table: sa.Table) -> tuple[str, str] | None:
    """The PostgreSQL sequence that numbers a table's rows, with the id column it fills; None when
    the table has no such single integer id."""
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer) or not keys[0].autoincrement:
        return None
    sequence = connection.execute(sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                                  {"table": f'"{table.name}"', "column": keys[0].name}).scalar()
    return (sequence, keys[0].name) if sequence else None


def _continue_sequence(connection, table: sa.Table) -> None:
    """New rows in the target get ids after the copied ones."""
    found = serial_sequence(connection, table)
    if found:
        sequence, key = found
        connection.execute(sa.text(f"SELECT setval('{sequence}', COALESCE((SELECT MAX({key}) "
                                   f'FROM "{table.name}"), 0) + 1, false)'))


def compare(source: sa.Engine, target: sa.Engine) -> list[str]:
    """Tables whose rows differ between the two databases (compared row by row, in key order)."""
    different = []
    with source.connect() as left, target.connect() as right:
        for table in tables():
            if list(_all(left, table)) != list(_all(right, table)):
                different.append(table.name)
    return different


def _all(connection, table):
    for chunk in _rows(connection, table):
        yield from (tuple(_plain(row[c.name]) for c in table.columns) for row in chunk)


def _plain(value):
    """Values as both databases return them (SQLite hands back lists as text, and so on)."""
    if isinstance(value, list):
        return tuple(value)
    return value
