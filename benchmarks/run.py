"""The benchmark suite: page weight, queries per page, throughput and latency against a bare
Flask hello-world, and worker memory. Prints a report and writes it into benchmarks/RESULTS.md.

Run:  .venv/bin/python -m benchmarks.run [--duration 10] [--rounds 3] [--connections 16] [--rate 50]
      [--no-write]

Data: the demo district grown by benchmarks/data.py (scale 1 is "small"; scale 5 more on top is
"large"), in SQLite in a temporary folder. Load: gunicorn with sync workers (2 × cores + 1,
`--no-control-socket`) and wrk on the same machine, each endpoint for --duration seconds after
a short warm-up; the hello-world app is served and loaded the same way in the same run, and
every throughput and p99 is given as a ratio to it. This machine's speed moves from one minute
to the next (hello-world alone has measured 2,112 and 5,155 requests/s on two days), so the
load runs in --rounds rounds, hello-world first in each, and each ratio is taken within its
round; the report gives the median over the rounds and the range. After each endpoint's run at
full speed, it is sent a steady --rate requests/s (50 by default; 0: none) at random moments,
and its p50 and p99 there are reported beside hello-world's at the same load. Needs wrk
(Debian: apt-get install wrk).
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Pages, queries, load and memory"
FIRST_VIEW_HTML_BUDGET = 14 * 1024
FIRST_VIEW_BUDGET = 50 * 1024
REPEAT_VIEW_BUDGET = 14 * 1024
POSTERS = 20  # people whose votes and comments the load sends in turn (benchmarks/data.py's "grown")


# ---------------------------------------------------------------- data

def make_app(instance: Path, database_url: str | None = None, **settings):
    """The app the benchmarks measure, with its instance folder `instance`, on `database_url`
    (an SQLite file in that folder if none); `settings` add to or replace its configuration."""
    os.environ["CODESIGN_INSTANCE_PATH"] = str(instance)
    from codesign import create_app

    return create_app({"ENV": "testing", "SECRET_KEY": "benchmark-secret", "SEARCH_BACKGROUND": False,
                       "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "memory", "PAGE_CACHE_SECONDS": "0",
                       "DATABASE_URL": database_url or f"sqlite:///{instance / 'codesign.sqlite3'}"} | settings)


def populate(app, scale: int, *, search_index: bool = True) -> dict:
    """Migrate the app's empty database, load the demo and grow it `scale` times; then build the
    search index from it, unless `search_index` is false. What grow added, by table."""
    from flask_migrate import upgrade

    from benchmarks.data import grow
    from codesign.demo import load_demo
    from codesign.districts.service import get_district
    from codesign.search.service import rebuild

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo()
    with app.test_request_context():
        added = grow(get_district("riverside"), scale=scale)
    if search_index:
        with app.app_context():
            rebuild()
    return added


def ids(app) -> dict:
    from codesign.accounts.models import User
    from codesign.extensions import db
    from codesign.proposals.models import Proposal, ProposalVersion
    from codesign.responselog.models import ResponseEntry

    with app.app_context():
        proposal = db.session.scalar(
            sa.select(Proposal.id).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
            .where(ProposalVersion.title == "Attendance early-warning dashboard"))
        entry = db.session.scalar(sa.select(sa.func.min(ResponseEntry.sequence)).where(
            ResponseEntry.published_at.is_not(None)))
        posters = list(db.session.scalars(sa.select(User.username).where(User.username.startswith("grown"))
                                          .order_by(User.id).limit(POSTERS)))
        return {"proposal": proposal, "entry": entry, "next": show_more_url(app, proposal, 20), "posters": posters}


def show_more_url(app, proposal_id: int, shown: int) -> str:
    """The address a reader's "show more" link carries after `shown` comments (with its cursor),
    as following the links page by page would reach; past the last comment, an empty page."""
    from flask import url_for

    from codesign.comments.service import PAGE_SIZE, CommentFilters, list_comments
    from codesign.extensions import db
    from codesign.proposals.models import Proposal

    with app.test_request_context():
        page = list_comments(db.session.get(Proposal, proposal_id), CommentFilters(),
                             offset=max(shown - PAGE_SIZE, 0))
        args = page.next_args(CommentFilters()) if page.has_more else {"offset": shown, "after": 1}
        return url_for("comments.index", district_slug="riverside", proposal_id=proposal_id, **args)


# Page types a reader, a participant or staff open; (label, url, who).
def page_types(found: dict) -> list[tuple[str, str, str | None]]:
    d, p = "/d/riverside", found["proposal"]
    return [
        ("District (proposal list)", f"{d}/", None),
        ("Proposal", f"{d}/proposals/{p}/", None),
        ("Comments, next page", found["next"], None),
        ("Version history", f"{d}/proposals/{p}/versions/", None),
        ("What changed", f"{d}/proposals/{p}/changes", None),
        ("Response log", f"{d}/log/", None),
        ("Log entry", f"{d}/log/{found['entry']}", None),
        ("Sessions", f"{d}/sessions/", None),
        ("Organizations", f"{d}/organizations/", None),
        ("Surveys", f"{d}/surveys/", None),
        ("Search", f"{d}/search?q=attendance", None),
        ("Privacy", f"{d}/privacy", None),
        ("My input", "/account/input", "lucia"),
        ("Review (board)", f"{d}/proposals/{p}/review/", "board"),
        ("Moderation (staff)", f"{d}/moderation/", "staff"),
        ("What needs you (staff home)", f"{d}/staff/", "staff"),
        ("Notifications", "/account/notifications", "lucia"),
        ("Translations (staff)", f"{d}/translations", "staff"),
    ]


def signed_in_client(app, who: str | None):
    client = app.test_client()
    if who:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"csrf_token": token, "login": who, "password": "codesign-demo"})
        assert response.status_code == 303, f"could not sign in as {who}"
    return client


# ---------------------------------------------------------------- page weight and queries

def page_weights(app, pages) -> list[dict]:
    """Gzipped bytes per page. A visitor's first view (no cookie yet) carries the stylesheet
    inline and prefetches the file for later views, which link it: "HTML + CSS" is what the
    first response needs to render; signed-in people have been here before, so their pages
    link the stylesheet (counted with the HTML as their first-view bytes)."""
    rows = []
    clients = {}
    for label, url, who in pages:
        client = app.test_client() if who is None else clients.setdefault(who, signed_in_client(app, who))
        response = client.get(url)
        html = response.get_data()
        assert response.status_code == 200, (url, response.status_code)
        html_gz = len(gzip.compress(html, 6))
        css = js = 0
        for ref in re.findall(rb'<link rel="(?:stylesheet|prefetch)" href="([^"]+)"', html):
            css += _static_size(client, ref.decode())
        for ref in re.findall(rb'<script src="([^"]+)"', html):
            js += _static_size(client, ref.decode())
        inline = b"<style>" in html
        repeat = len(gzip.compress(client.get(url).get_data(), 6)) if inline else html_gz
        rows.append({"label": label, "who": who or "anyone", "html": html_gz, "css": css, "js": js,
                     "first": html_gz + css + js, "critical": html_gz if inline else html_gz + css,
                     "repeat": repeat})
    return rows


def _static_size(client, url: str) -> int:
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    size = len(response.get_data())
    response.close()
    return size


def query_counts(app, pages) -> dict[str, int]:
    from codesign.extensions import db

    counts = {}
    clients = {}
    with app.app_context():
        engine = db.engine
    for label, url, who in pages:
        client = clients.setdefault(who, signed_in_client(app, who))
        client.get(url).close()
        counter = {"n": 0}

        def count(*_args, counter=counter, **_kwargs):
            counter["n"] += 1

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            client.get(url).close()
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        counts[label] = counter["n"]
    return counts


# ---------------------------------------------------------------- load

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def served_env(instance: Path, database_url: str, **more: str) -> dict[str, str]:
    """The environment the app runs in under gunicorn for load: production settings, rate
    limits off (one account posts many times), no background search thread, email kept."""
    return {"CODESIGN_INSTANCE_PATH": str(instance), "CODESIGN_ENV": "production",
            "CODESIGN_SECRET_KEY": "benchmark-secret", "CODESIGN_RATELIMIT_ENABLED": "0",
            "CODESIGN_SEARCH_BACKGROUND": "0", "CODESIGN_MAIL_BACKEND": "memory",
            "CODESIGN_DATABASE_URL": database_url, **{f"CODESIGN_{k}": v for k, v in more.items()}}


class Gunicorn:
    def __init__(self, target: str, env: dict, workers: int):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # a pipe nobody reads could fill up and stall gunicorn
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", target, "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--no-control-socket", "--log-level", "warning",
             "--backlog", "2048"],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn did not start: {self.output()[-2000:]}")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return sizes

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def sign_in_cookie(port: int, who: str, password: str = "codesign-demo") -> tuple[str, str]:
    """A session cookie and its form token, signed in as who."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/login")
    response = connection.getresponse()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    body = urlencode({"csrf_token": token, "login": who, "password": password})
    connection.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    assert response.status == 303, f"sign-in as {who} failed: {response.status}"
    cookie = response.getheader("Set-Cookie").split(";")[0]
    connection.request("GET", "/account", headers={"Cookie": cookie})
    response = connection.getresponse()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    if response.getheader("Set-Cookie"):  # the form token's secret went into the session just now
        cookie = response.getheader("Set-Cookie").split(";")[0]
    connection.close()
    return cookie, token


def reader_session_cookie(port: int, url: str) -> str:
    """The session cookie a reader who is not signed in gets with their first page."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", url)
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    connection.close()
    return cookie


# A POST body's COUNTER becomes a number of its own; with posters, each request goes as the next
# of them in turn: their session cookie, and their form token where the body says TOKEN.
LUA_POST = """
counter = 0
request = function()
  counter = counter + 1
  local body = string.gsub(wrk.body, "COUNTER", tostring(counter) .. "-" .. tostring(math.random(1, 1000000000)))
  local headers = wrk.headers
  if #posters > 0 then
    local who = posters[counter % #posters + 1]
    body = string.gsub(body, "TOKEN", who[2])
    headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Cookie"] = who[1]
  end
  return wrk.format("POST", wrk.path, headers, body)
end
"""


def _lua_string(value: str) -> str:
    """A Lua string of a cookie, a form token or a url-encoded form (made of these characters)."""
    if not re.fullmatch(r"[\w.=&%+/:;, -]*", value):
        raise ValueError(f"not written into the wrk script: {value!r}")
    return f'"{value}"'


def wrk(url: str, duration: int, connections: int, *, headers: dict | None = None, body: str | None = None,
        workdir: Path, posters: list[tuple[str, str]] = ()) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if body is not None:
        script = workdir / "post.lua"
        people = ", ".join(f"{{{_lua_string(cookie)}, {_lua_string(token)}}}" for cookie, token in posters)
        script.write_text(f"wrk.method = \"POST\"\nwrk.body = {_lua_string(body)}\nposters = {{{people}}}\n"
                          + LUA_POST)
        command += ["-s", str(script)]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = {m.group(1): _ms(m.group(2), m.group(3)) for m in
                   re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": percentiles.get("50"), "p99": percentiles.get("99"), "requests": total,
            "bad": int(errors.group(1)) if errors else 0, "socket_errors": socket_errors.group(1) if socket_errors else ""}


def paced(url: str, rate: float, duration: float, *, headers: dict | None = None, body: str | None = None,
          seed: int = 1, posters: list[tuple[str, str]] = ()) -> dict:
    """Requests sent at random moments, `rate` a second on average for `duration` seconds (an
    open loop: each is sent on time whether or not earlier ones were answered), as people arrive.
    Each latency runs from the moment its request was due to its last byte, so a queue in the
    server shows in it. (wrk cannot do this: its connections would sit on gunicorn's sync
    workers while they wait.) Same figures as `wrk`, and the same COUNTER, TOKEN and `posters`;
    "rps" is what was answered per second."""
    import asyncio
    import random
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    rng = random.Random(seed)
    due, moment = [], 0.0
    while True:
        moment += rng.expovariate(rate)
        if moment >= duration:
            break
        due.append(moment)

    def request_bytes(number: int) -> bytes:
        method = "POST" if body is not None else "GET"
        payload = body.replace("COUNTER", f"{number}-{rng.randrange(10**9)}") if body is not None else ""
        sent = dict(headers or {})
        if posters:
            cookie, token = posters[number % len(posters)]
            payload, sent["Cookie"] = payload.replace("TOKEN", token), cookie
        head = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
        head += [f"{name}: {value}" for name, value in sent.items()]
        payload = payload.encode()
        if body is not None:
            head.append(f"Content-Length: {len(payload)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + payload

    async def one(start: float, when: float, message: bytes):
        await asyncio.sleep(max(0.0, start + when - time.perf_counter()))
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        writer.write(message)
        answer = await reader.read()
        writer.close()
        await writer.wait_closed()
        return time.perf_counter() - (start + when), int(answer.split(b" ", 2)[1])

    async def everything():
        start = time.perf_counter() + 0.05
        results = await asyncio.gather(*(one(start, when, request_bytes(n)) for n, when in enumerate(due)),
                                       return_exceptions=True)
        return results, time.perf_counter() - start

    # Its own event loop, in a thread of its own: a caller may have one running in this thread
    # (Playwright's sync API does, for the rest of a test process, once a browser has started).
    with ThreadPoolExecutor(max_workers=1) as loop_thread:
        results, took = loop_thread.submit(lambda: asyncio.run(everything())).result()
    failed = [r for r in results if isinstance(r, BaseException)]
    latencies = sorted(r[0] * 1000 for r in results if not isinstance(r, BaseException))
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"rps": len(latencies) / took, "p50": cuts[49], "p99": cuts[98], "requests": len(latencies),
            "bad": sum(1 for r in results if not isinstance(r, BaseException) and r[1] >= 400),
            "socket_errors": f"{len(failed)} failed ({type(failed[0]).__name__})" if failed else ""}


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def load(instance: Path, found: dict, duration: int, connections: int, rounds: int = 3, rate: float = 0) -> dict:
    """Each endpoint's wrk result in each round ({label: [round 1, round 2, ...]}, hello-world
    under "hello"), the largest worker's size after each round, and the requests served; with a
    `rate`, each endpoint's figures at that steady load too ("paced", alike)."""
    workers = 2 * (os.cpu_count() or 1) + 1
    env = served_env(instance, f"sqlite:///{instance / 'codesign.sqlite3'}")
    hello = Gunicorn("benchmarks.hello:app", env, workers)
    app = None
    try:
        app = Gunicorn("wsgi:app", env, workers)
        base = f"http://127.0.0.1:{app.port}"
        d, p = "/d/riverside", found["proposal"]
        cookie, _token = sign_in_cookie(app.port, "lucia")
        reader_cookie = reader_session_cookie(app.port, f"{d}/proposals/{p}/")
        staff_cookie, _staff_token = sign_in_cookie(app.port, "board")
        # Votes and comments come from many people in turn, as on a busy evening: one person may
        # post 10 comments a minute (rate limits are off here), not hundreds a second.
        posters = [sign_in_cookie(app.port, name) for name in found["posters"]]
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        endpoints = [
            ("hello", f"http://127.0.0.1:{hello.port}/", {}, None, ()),
            ("Proposal page, first view (no cookie: styles inline)", f"{base}{d}/proposals/{p}/", {}, None, ()),
            ("Proposal page, a reader's next view (their session cookie)", f"{base}{d}/proposals/{p}/",
             {"Cookie": reader_cookie}, None, ()),
            ("Proposal page, signed in (never from the page cache)", f"{base}{d}/proposals/{p}/",
             {"Cookie": cookie}, None, ()),
            ("Comments \"show more\" fragment", f"{base}{found['next']}",
             {"HX-Request": "true", "HX-Target": "comment-list"}, None, ()),
            ("Vote (POST)", f"{base}{d}/proposals/{p}/vote", form,
             "csrf_token=TOKEN&" + urlencode({"stance": "support"}) + "&n=COUNTER", posters),
            ("Comment (POST)", f"{base}{d}/proposals/{p}/comments/", form,
             "csrf_token=TOKEN&" + urlencode({"kind": "concern", "section": "retention", "language": "en",
                                              "body": "Please keep the data for less time, number "}) + "COUNTER",
             posters),
            ("Search", f"{base}{d}/search?q=attendance+data", {}, None, ()),
            ("Review page (board)", f"{base}{d}/proposals/{p}/review/", {"Cookie": staff_cookie}, None, ()),
        ]
        measured: dict[str, list] = {label: [] for label, *_ in endpoints}
        steady: dict[str, list] = {label: [] for label, *_ in endpoints} if rate else {}
        rss = []
        for round_ in range(rounds):
            for label, url, headers, body, who in endpoints:
                if round_ == 0:  # warm-up
                    wrk(url, 2, connections, headers=headers, body=body, workdir=instance, posters=who)
                measured[label].append(wrk(url, duration, connections, headers=headers, body=body,
                                           workdir=instance, posters=who))
                if rate:
                    steady[label].append(paced(url, rate, duration, headers=headers, body=body, seed=round_,
                                               posters=who))
            rss.append(max(app.worker_rss_mb()))
    finally:
        hello.stop()
        if app is not None:
            app.stop()
    served = sum(result["requests"] for runs in (measured, steady) for label, results in runs.items()
                 if label != "hello" for result in results)
    return {"workers": workers, "connections": connections, "rounds": rounds, "duration": duration,
            "results": measured, "rate": rate, "paced": steady, "rss_steps": rss, "requests_served": served,
            "posters": len(found["posters"])}


def summary(results: list[dict], hello: list[dict]) -> dict:
    """Medians over the rounds of an endpoint's figures, and of its ratios to hello-world taken
    within each round, with their ranges."""
    throughput = [r["rps"] / h["rps"] for r, h in zip(results, hello, strict=True)]
    tail = [r["p99"] / h["p99"] for r, h in zip(results, hello, strict=True)]
    return {"rps": statistics.median(r["rps"] for r in results),
            "p50": statistics.median(r["p50"] for r in results), "p99": statistics.median(r["p99"] for r in results),
            "ratio": statistics.median(throughput), "ratio_range": (min(throughput), max(throughput)),
            "tail": statistics.median(tail), "tail_range": (min(tail), max(tail)),
            "bad": sum(r["bad"] for r in results),
            "socket_errors": "; ".join(r["socket_errors"] for r in results if r["socket_errors"])}


# ---------------------------------------------------------------- report

def report(weights, queries_small, queries_large, loaded, sizes) -> str:
    lines = [f"{SECTION} — {date.today().isoformat()}", "",
             f"`.venv/bin/python -m benchmarks.run`. Machine: {platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}, SQLite (the demo district grown by `benchmarks/data.py`: "
             f"small = demo + {sizes['small']['comments']:,} comments, large = + {sizes['large']['comments']:,} more).", "",
             "### Page weight (gzip; static files as served, gzip)", "",
             "A visitor's first view (no cookie yet) has the stylesheet inline and prefetches the file; "
             "later views link it (cached a year). HTML is the first view's; \"HTML + CSS\" is the first "
             "response with everything it needs to render; signed-in people's pages link the stylesheet.", "",
             "| page | who | HTML | CSS | JS | first view | HTML + CSS | repeat view |",
             "|---|---|---|---|---|---|---|---|"]
    kb = lambda n: f"{n / 1024:.1f} KB"  # noqa: E731
    for row in weights:
        lines.append(f"| {row['label']} | {row['who']} | {kb(row['html'])} | {kb(row['css'])} | {kb(row['js'])} | "
                     f"{kb(row['first'])} | {kb(row['critical'])} | {kb(row['repeat'])} |")
    public = [r for r in weights if r["who"] == "anyone"]
    worst_first = max(r["first"] for r in public)
    worst_critical = max(r["critical"] for r in public)
    worst_repeat = max(r["repeat"] for r in public)
    lines += ["", f"Public pages: largest first view {kb(worst_first)} (target ≤ 50 KB), first response with its "
              f"CSS {kb(worst_critical)} (target ≤ 14 KB, one round trip), repeat view {kb(worst_repeat)} "
              f"(target ≤ 14 KB); for signed-in pages the largest repeat view is "
              f"{kb(max(r['repeat'] for r in weights if r['who'] != 'anyone'))}.", "",
              "### Queries per page (small → large data)", "", "| page | small | large |", "|---|---|---|"]
    for label, count in queries_small.items():
        lines.append(f"| {label} | {count} | {queries_large[label]} |")
    lines += ["", "`tests/test_queries_per_page.py` checks the same for every page a crawl reaches, as every role.", ""]
    if loaded:
        hello_rounds = loaded["results"]["hello"]
        hello = summary(hello_rounds, hello_rounds)
        hello_speeds = (min(r["rps"] for r in hello_rounds), max(r["rps"] for r in hello_rounds))
        ranged = lambda low_high, fmt: "–".join(format(value, fmt) for value in low_high)  # noqa: E731
        lines += ["### Throughput and latency (gunicorn, sync workers, wrk on the same machine)", "",
                  f"{loaded['workers']} workers, {loaded['connections']} connections; {loaded['rounds']} rounds of "
                  f"{loaded['duration']} s per endpoint, hello-world first in each round. Figures are medians over the "
                  "rounds; each ratio is taken within its round (range over the rounds in brackets). Hello-world: "
                  f"{hello['rps']:.0f} requests/s ({ranged(hello_speeds, '.0f')}), "
                  f"p50 {hello['p50']:.1f} ms, p99 {hello['p99']:.1f} ms.", "",
                  "| endpoint | requests/s | × hello-world | p50 | p99 | p99 ÷ hello p99 | errors |",
                  "|---|---|---|---|---|---|---|"]
        for label, results in loaded["results"].items():
            if label == "hello":
                continue
            row = summary(results, hello_rounds)
            lines.append(f"| {label} | {row['rps']:.0f} | {row['ratio']:.0%} ({ranged(row['ratio_range'], '.0%')}) | "
                         f"{row['p50']:.1f} ms | {row['p99']:.1f} ms | {row['tail']:.1f} "
                         f"({ranged(row['tail_range'], '.1f')}) | "
                         f"{row['bad']}{' ' + row['socket_errors'] if row['socket_errors'] else ''} |")
        if loaded.get("paced"):
            lines += ["", *paced_report(loaded)]
        lines += ["", "Readers who are not signed in get pages from the five-second page cache "
                  "(`codesign/pagecache.py`, answered before Flask runs) after each worker's first request: with "
                  "no cookie (every request a first view, its styles inline, and a new session) and with the "
                  "session cookie their first view gave them (the page links the cached stylesheet). The "
                  "signed-in row shows what rendering the page costs. Search and the fragment are sent without "
                  "a cookie. Votes and comments are form posts without JavaScript (a redirect back to the page), "
                  f"sent as {loaded['posters']} signed-in people in turn (one person may post 10 comments a minute; rate "
                  "limits are off here)."]
        steps = ", ".join(f"{mb:.0f}" for mb in loaded["rss_steps"])
        lines += ["", "### Memory", "", f"Largest worker's resident size after each round: {steps} MB "
                  f"({loaded['requests_served']:,} requests in all; target ≤ 120 MB and not growing).", ""]
    return "\n".join(lines)


def paced_report(loaded: dict) -> list[str]:
    """The table of each endpoint's latency at a steady load, beside hello-world's at the same."""
    hello_rounds = loaded["paced"]["hello"]
    hello = summary(hello_rounds, hello_rounds)
    lines = [f"#### At a steady {loaded['rate']:g} requests/s", "",
             f"The same endpoints, each sent {loaded['rate']:g} requests a second at random moments for "
             f"{loaded['duration']} s in each round (an open loop, a new connection each, timed from the moment a "
             "request was due), after its run at full speed: what people see on a busy evening rather than at the "
             f"server's limit. Hello-world: p50 {hello['p50']:.1f} ms, p99 {hello['p99']:.1f} ms.", "",
             "| endpoint | p50 | p99 | p99 ÷ hello p99 | errors |", "|---|---|---|---|---|"]
    for label, results in loaded["paced"].items():
        if label == "hello":
            continue
        row = summary(results, hello_rounds)
        low, high = row["tail_range"]
        lines.append(f"| {label} | {row['p50']:.1f} ms | {row['p99']:.1f} ms | {row['tail']:.1f} "
                     f"({low:.1f}–{high:.1f}) | {row['bad']}{' ' + row['socket_errors'] if row['socket_errors'] else ''} |")
    return lines


def write_section(section: str, text: str, results: Path | None = None) -> None:
    """Replace, where it stands, the section that starts with `section`; or add it at the end.
    (So the file keeps its order, whichever benchmark ran last.)"""
    results = results or RESULTS
    current = results.read_text()
    start = current.find(section)
    if start < 0:
        results.write_text(current.rstrip() + "\n\n" + text.rstrip() + "\n")
        return
    end = current.find("\n## ", start + 1)
    rest = current[end + 1:] if end >= 0 else ""
    results.write_text(current[:start] + text.rstrip() + "\n" + ("\n" + rest if rest else ""))


def write_results(text: str) -> None:
    write_section(SECTION, text)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of load (medians are reported)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, default=50,
                        help="requests/s of the steady-load runs after each full-speed run (0: none)")
    parser.add_argument("--no-load", action="store_true", help="skip gunicorn and wrk")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    if not args.no_load and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk), or pass --no-load")
    with tempfile.TemporaryDirectory(prefix="codesign-bench-") as folder:
        instance = Path(folder)
        app = make_app(instance)
        sizes = {"small": populate(app, 1)}
        found = ids(app)
        pages = page_types(found)
        weights = page_weights(app, pages)
        queries_small = query_counts(app, pages)
        loaded = None if args.no_load else load(instance, found, args.duration, args.connections, args.rounds,
                                              args.rate)
        from benchmarks.data import grow
        from codesign.districts.service import get_district

        with app.test_request_context():
            sizes["large"] = grow(get_district("riverside"), scale=5)
        queries_large = query_counts(app, pages)
        text = report(weights, queries_small, queries_large, loaded, sizes)
    print(text)
    if not args.no_write:
        write_results(text)


if __name__ == "__main__":
    main()
