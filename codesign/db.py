"""Declarative base, naming convention and shared column types."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; constraint names follow NAMING_CONVENTION so Alembic can find them."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_for_several_workers(dbapi_connection, _record) -> None:
    """On SQLite, let readers and one writer work at once (write-ahead log) and make a writer
    wait for another instead of failing at once: several gunicorn workers share the file."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC that always comes back timezone-aware, on SQLite too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime in UTC")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class TimestampMixin:
    """created_at for every row that people will want to date."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def enum_type(enum_class, length: int) -> sa.Enum:
    """Store an enum by its value as a plain string column (portable, easy to migrate)."""
    return sa.Enum(enum_class, native_enum=False, length=length,
                   values_callable=lambda members: [member.value for member in members])


def dialect_insert(model):
    """An INSERT for model that supports ON CONFLICT on both our databases (PostgreSQL, SQLite)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from codesign.extensions import db

    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    return insert(model)


def built_once(build):
    """A statement that `build` makes once per database dialect (under `dialect_insert`) and that
    is then run with parameters: for the writes people make most (a vote, a follow), building an
    upsert costs more Python than running it."""
    built: dict = {}

    def statement():
        from codesign.extensions import db

        name = db.engine.dialect.name
        if name not in built:
            built[name] = build()
        return built[name]

    return statement
