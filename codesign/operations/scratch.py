"""A throw-away PostgreSQL database: for the restore drill, benchmarks and tests."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


@contextmanager
def scratch_database(server: sa.URL | str, name: str, *, keep: bool = False) -> Iterator[sa.URL]:
    """Create an empty database `name` on the PostgreSQL server of `server` (any database of it),
    yield its address, and drop it afterwards (even if its connections are still open), unless keep."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin.url.set(database=name)
        finally:
            if not keep:
                with admin.connect() as connection:
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
