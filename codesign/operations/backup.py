"""The restore drill: a backup is only as good as the restore that was tried. Dump the live
PostgreSQL database with pg_dump (or take a dump already made), restore it into a scratch
database with pg_restore, compare every table row by row with the live one, drop the scratch."""
from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from codesign.operations.move import compare, tables
from codesign.operations.scratch import scratch_database, unique_name


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
    path = existing_dump or folder / f"{unique_name('codesign')}.dump".replace("_", "-")
    if existing_dump is None:
        dump(url, path)
        report(f"Dumped to {path} ({path.stat().st_size:,} bytes).")
    with scratch_database(url, unique_name(f"{url.database}_drill")) as copy:
        _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq(copy), str(path)])
        restored = sa.create_engine(copy)
        try:
            different = compare(engine, restored)
            with restored.connect() as connection:
                rows = sum(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in tables())
        finally:
            restored.dispose()
    if different:
        raise DrillError("The restored copy differs from the live database in: " + ", ".join(different))
    report(f"Restored into a scratch database: {len(tables())} tables, {rows:,} rows, all equal to the live ones.")
    return {"tables": len(tables()), "rows": rows, "dump": str(path)}
