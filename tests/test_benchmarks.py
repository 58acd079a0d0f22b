"""The benchmark suites still run against today's schema and pages (they load data behind the
app's back, with COPY, so a renamed column breaks them quietly): each once, tiny."""
from __future__ import annotations

import pytest

from tests.conftest import POSTGRES_URL


@pytest.mark.skipif(not POSTGRES_URL, reason="the big-data benchmark runs on PostgreSQL "
                                               "(set CODESIGN_TEST_DATABASE_URL; CI does)")
def test_the_big_data_benchmark_runs_small(monkeypatch, capsys):
    from benchmarks import bigdata

    monkeypatch.delenv("CODESIGN_INSTANCE_PATH", raising=False)  # (main sets its own; this puts it back)
    bigdata.main(["--postgres-url", POSTGRES_URL, "--comments", "3000", "--people", "300", "--districts", "3",
                  "--repeat", "1", "--no-write"])
    report = capsys.readouterr().out
    assert "| Proposal | " in report and "Review aggregates alone" in report
    assert "deep page" in report and "| Board packet (HTML) |" in report
