"""The benchmark suites still run against today's schema and pages (they load data behind the
app's back, with COPY, so a renamed column breaks them quietly): each once, tiny."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def _round(rps, p50, p99, bad=0):
    return {"rps": rps, "p50": p50, "p99": p99, "requests": int(rps * 10), "bad": bad, "socket_errors": ""}


def test_load_is_reported_as_medians_of_ratios_taken_within_each_round():
    """A slow round slows hello-world and the app alike: each ratio is taken within its round, and
    the report gives their median and range, not the ratio of the medians."""
    from benchmarks.run import report, summary

    hello = [_round(1000, 3, 6), _round(2000, 2, 4), _round(4000, 1, 2)]
    vote = [_round(450, 30, 60), _round(1000, 16, 36), _round(1800, 9, 22)]
    row = summary(vote, hello)
    assert row["rps"] == 1000 and row["p99"] == 36
    assert row["ratio"] == 0.45 and row["ratio_range"] == (0.45, 0.5)
    assert row["tail"] == 10 and row["tail_range"] == (9, 11)

    weights = [{"label": "Proposal", "who": who, "html": 1, "css": 1, "js": 1, "first": 3, "critical": 2,
                "repeat": 1} for who in ("anyone", "lucia")]
    loaded = {"workers": 5, "connections": 16, "rounds": 3, "duration": 10, "rss_steps": [100, 101, 101],
              "requests_served": 32500, "results": {"hello": hello, "Vote (POST)": vote}, "posters": 20}
    text = report(weights, {"Proposal": 3}, {"Proposal": 3}, loaded,
                  {"small": {"comments": 1}, "large": {"comments": 5}})
    assert "Hello-world: 2000 requests/s (1000–4000), p50 2.0 ms, p99 4.0 ms." in text
    assert "| Vote (POST) | 1000 | 45% (45%–50%) | 16.0 ms | 36.0 ms | 10.0 (9.0–11.0) | 0 |" in text
    assert "after each round: 100, 101, 101 MB (32,500 requests in all" in text
    assert "sent as 20 signed-in people in turn" in text


def test_a_steady_load_is_reported_beside_hello_world():
    from benchmarks.run import paced_report

    hello = [_round(50, 2, 4), _round(50, 2, 5), _round(50, 2, 3)]
    page = [_round(50, 20, 40), _round(50, 25, 60), _round(49, 22, 45, bad=1)]
    text = "\n".join(paced_report({"rate": 50, "duration": 10, "paced": {"hello": hello, "Proposal": page}}))
    assert "At a steady 50 requests/s" in text and "Hello-world: p50 2.0 ms, p99 4.0 ms." in text
    assert "| Proposal | 22.0 ms | 45.0 ms | 12.0 (10.0–15.0) | 1 |" in text


class _Handler(BaseHTTPRequestHandler):
    """A stand-in server's handler: answers with a status and nothing else, and logs nothing."""

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def _serving(handler: type[_Handler]):
    """A server on a free local port, in a thread, while the block runs; yields its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_steady_load_arrives_on_time_and_times_the_queue():
    """An open loop: requests go out at random moments whatever the server does, each POST with its
    own body, and a server that answers slowly shows as latency (and a 4xx as an error)."""
    import time

    from benchmarks.run import paced

    bodies = []
    refused = lambda body: body.split(b"-")[0].endswith(b"9")  # noqa: E731  (every tenth request)

    class Slow(_Handler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            bodies.append(body)
            time.sleep(0.05)
            self.answer(422 if refused(body) else 303)

    with _serving(Slow) as address:
        started = time.perf_counter()
        result = paced(f"{address}/vote", 40, 1.5, body="n=COUNTER", headers={"Cookie": "session=x"})
        took = time.perf_counter() - started
    assert 30 <= result["requests"] <= 90 and result["requests"] == len(bodies)  # about 40/s for 1.5 s
    assert took < 2.5  # sent on time, not one after another (64 of them, 50 ms each: 3.2 s)
    assert len(set(bodies)) == len(bodies) and all(b.startswith(b"n=") for b in bodies)
    assert 50 <= result["p50"] < 500 and result["p99"] >= result["p50"]
    assert result["bad"] == sum(map(refused, bodies)) > 0 and result["socket_errors"] == ""


def test_the_steady_load_can_be_sent_from_a_thread_with_its_own_event_loop_running():
    """As from a test process where Playwright's sync API has a loop running (CI once failed so)."""
    import asyncio

    from benchmarks.run import paced

    class Quick(_Handler):
        def do_GET(self):
            self.answer(200)

    with _serving(Quick) as address:
        async def inside_a_running_loop():
            return paced(f"{address}/", 40, 0.5)

        result = asyncio.run(inside_a_running_loop())
    assert result["requests"] > 5 and result["bad"] == 0 and result["socket_errors"] == ""


POSTERS = [("session=ana", "token-of-ana"), ("session=bo", "token-of-bo"), ("session=cy", "token-of-cy")]
BODY = "csrf_token=TOKEN&stance=support&n=COUNTER"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _recording(seen: list) -> type[_Handler]:
    """A handler that keeps each POST's cookie and body in `seen`."""
    class Recording(_Handler):
        def do_POST(self):
            seen.append((self.headers["Cookie"], self.rfile.read(int(self.headers["Content-Length"])).decode()))
            self.answer(303)

    return Recording


def _each_as_one_of_the_posters(seen: list) -> None:
    tokens = dict(POSTERS)
    assert len(seen) >= 6
    for cookie, body in seen:
        assert body.startswith(f"csrf_token={tokens[cookie]}&stance=support&n="), (cookie, body)
    assert {cookie for cookie, _body in seen} == set(tokens)  # every one of them, in turn


def test_the_steady_load_posts_as_each_of_several_people_in_turn():
    from benchmarks.run import paced

    seen = []
    with _serving(_recording(seen)) as address:
        paced(f"{address}/vote", 40, 0.5, body=BODY, headers=FORM, posters=POSTERS)
    _each_as_one_of_the_posters(seen)


def test_wrk_posts_as_each_of_several_people_in_turn(tmp_path):
    import shutil

    from benchmarks.run import wrk

    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk; .ci/run installs it)")
    seen = []
    with _serving(_recording(seen)) as address:
        result = wrk(f"{address}/vote", 1, 2, body=BODY, headers=FORM, workdir=tmp_path, posters=POSTERS)
    assert result["bad"] == 0 and result["requests"] >= 6
    _each_as_one_of_the_posters(seen)
