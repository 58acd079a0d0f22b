"""`flask backup-drill`: a pg_dump of the database restores into a scratch database equal to the
live one, table by table; a dump that does not match (taken before a change) fails the drill."""
from __future__ import annotations

import pytest

from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="the restore drill is for PostgreSQL (set CODESIGN_TEST_DATABASE_URL; CI does)")


def test_a_backup_restores_whole_and_a_stale_one_is_caught(app, runner, make_open_proposal, make_user, tmp_path):
    make_open_proposal()
    make_user("lucia")
    result = runner.invoke(args=["backup-drill", "--keep", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "all equal to the live ones" in result.output and "Restore drill passed." in result.output
    [dump] = list(tmp_path.glob("codesign-*.dump"))
    # The database changes after the dump: that dump no longer matches, and the drill says where.
    make_user("amal")
    stale = runner.invoke(args=["backup-drill", "--dump", str(dump)])
    assert stale.exit_code != 0 and "differs from the live database in: user" in stale.output
