"""The restore drill: a backup is only as good as the restore that was tried. Dump the live
PostgreSQL database with pg_dump (or take a dump already made), restore it into a scratch
database with pg_restore, compare every table row by row with the live one, drop the scratch."""
from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from codesign.operations.move import compare, tables


class DrillError(Exception):
    pass


def _libpq(url: sa.URL) -> str:
    """The address pg_dump and pg_restore understand (no driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def dump(url: sa.URL, path: Path) -> None:
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path), _libpq(url)])


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise DrillError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)") from error
    except subprocess.CalledProcessError as error:
        raise DrillError(f"{command[0]} failed: {error.stderr.strip()[-1000:]}") from error


def drill(engine: sa.Engine, folder: Path, existing_dump: Path | None = None,
          report: Callable[[str], None] = lambda _line: None) -> dict:
    """Restore a dump into a scratch database and compare; raises DrillError on any difference."""
    url = engine.url
    if url.get_backend_name() != "postgresql":
        raise DrillError("The restore drill is for PostgreSQL (back up SQLite by copying its file).")
    path = existing_dump or folder / f"codesign-{uuid.uuid4().hex[:8]}.dump"
    if existing_dump is None:
        dump(url, path)
        report(f"Dumped to {path} ({path.stat().st_size:,} bytes).")
    scratch = f"{url.database}_drill_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
        try:
            _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq(url.set(database=scratch)),
                  str(path)])
            restored = sa.create_engine(url.set(database=scratch))
            try:
                different = compare(engine, restored)
                with restored.connect() as connection:
                    rows = sum(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                               for t in tables())
            finally:
                restored.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    finally:
        admin.dispose()
    if different:
        raise DrillError("The restored copy differs from the live database in: " + ", ".join(different))
    report(f"Restored into a scratch database: {len(tables())} tables, {rows:,} rows, all equal to the live ones.")
    return {"tables": len(tables()), "rows": rows, "dump": str(path)}
