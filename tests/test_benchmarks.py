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


def test_a_re_measured_section_stays_where_it_was(tmp_path):
    from benchmarks.run import write_section

    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\nIntro.\n\n## A — 1\n\nold a\n\n## B — 1\n\nold b\n\n## C — 1\n\nold c\n")
    write_section("## B", "## B — 2\n\nnew b\n", results)
    write_section("## C", "## C — 2\n\nnew c\n", results)
    write_section("## D", "## D — 1\n\nnew d\n", results)
    assert results.read_text() == ("# Benchmark results\n\nIntro.\n\n## A — 1\n\nold a\n\n## B — 2\n\nnew b\n\n"
                                   "## C — 2\n\nnew c\n\n## D — 1\n\nnew d\n")
