"""Big data on PostgreSQL: 1,000,000 comments, 200,000 participants, 100 districts.

Run:  .venv/bin/python -m benchmarks.bigdata --postgres-url postgresql://postgres@127.0.0.1:5432/test
      [--comments 1000000] [--people 200000] [--districts 100] [--no-write]

In two throw-away databases: the demo district grown a little (the "small" data) in both, then
in one of them 99 more districts with their proposals, people, votes and comments loaded with
COPY, a quarter of the comments on the demo's attendance proposal itself. Times every page and
fragment of the demo district in both, in turns (one request to each, 15 times; the median of
each; in-process, page cache off; the board packet, which prints every comment, once), the review
page's aggregates, and the board packet's HTML; writes its section of benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from benchmarks.run import ids, populate, show_more_url, signed_in_client
from benchmarks.run import make_app as make_benchmark_app
from codesign.comments.counters import recount
from codesign.review.participants import recount as recount_participants
from codesign.votes.counters import recount as recount_votes

SECTION = "## Big data on PostgreSQL"
LANGUAGES = ["en", "es", "vi", "zh", "ar"]
KINDS = ["question", "concern", "suggestion", "support"]
SECTIONS = ["general", "purpose", "data_collected", "access", "retention", "sharing", "opt_out"]
GROUPS = ["student", "family", "educator", "community_member", "community_organization"]
WORDS = "data student family privacy school years counselor attendance call home language safe records".split()


def timed(client, url: str) -> float:
    """One request, in ms."""
    started = time.perf_counter()
    response = client.get(url)
    response.get_data()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    response.close()
    return elapsed


def pages(found: dict) -> list[tuple[str, str, str | None]]:
    d, p = "/d/riverside", found["proposal"]
    return [
        ("District (proposal list)", f"{d}/", None),
        ("Proposal", f"{d}/proposals/{p}/", None),
        ("Proposal, signed in", f"{d}/proposals/{p}/", "lucia"),
        ("Comments, next page", found["next"], None),
        ("Comments, a deep page by \"show more\" (page 250; small data: its deepest full page)", found["deep"], None),
        ("Comments filtered (concerns, Spanish)", f"{d}/proposals/{p}/comments/?kind=concern&language=es", None),
        ("Response log", f"{d}/log/", None),
        ("Proposal's log", f"{d}/proposals/{p}/log/", None),
        ("Sessions", f"{d}/sessions/", None),
        ("Surveys", f"{d}/surveys/", None),
        ("My input", "/account/input", "lucia"),
        ("Open data API: comments, page 2", f"/api/v1/districts/riverside/proposals/{p}/comments?page=2", None),
        ("Review page (board)", f"{d}/proposals/{p}/review/", "board"),
        ("Board packet (HTML)", f"{d}/proposals/{p}/review/packet", "board"),
        ("Moderation (staff)", f"{d}/moderation/", "staff"),
        ("What needs you (staff home)", f"{d}/staff/", "staff"),
    ]


DEEP_PAGE = 250


def deep_show_more_url(app, proposal_id: int, page_number: int) -> str:
    """The "show more" link a reader follows, page by page, to reach page `page_number` of the
    comments; where the list is shorter (small data), the link to its deepest full page. (A
    page past the end, which is empty, would not compare like with like.)"""
    from flask import url_for

    from codesign.comments.service import (
        PAGE_SIZE,
        CommentFilters,
        Cursor,
        list_comments,
    )
    from codesign.extensions import db
    from codesign.proposals.models import Proposal

    filters = CommentFilters()
    with app.test_request_context():
        proposal = db.session.get(Proposal, proposal_id)
        page, reached, link = list_comments(proposal, filters), 1, None  # (reached: that page's number)
        while reached < page_number and page.has_more:
            args = page.next_args(filters)
            following = list_comments(proposal, filters, offset=args["offset"], after=Cursor(args["after"]))
            if len(following.comments) < PAGE_SIZE:
                break
            page, reached, link = following, reached + 1, args
        assert link is not None, "fewer than two full pages of comments"
        return url_for("comments.index", district_slug="riverside", proposal_id=proposal_id, **link)


def measure(apps, repeat: int = 15) -> list[dict[str, float]]:
    """Each page's median time in each app (small data, large data), taken in turns: one
    request to each app, then again, so that a slower minute of the machine falls on both
    alike (timed one after the other, the small and the large run minutes apart, and this
    machine's speed wanders by a fifth between minutes)."""
    lists = []
    for app in apps:
        found = ids(app)
        found.update(next=show_more_url(app, found["proposal"], 20),
                     deep=deep_show_more_url(app, found["proposal"], DEEP_PAGE))
        lists.append(pages(found))
    clients = [{} for _ in apps]
    times = [{} for _ in apps]
    for rows in zip(*lists, strict=True):
        label = rows[0][0]
        # The packet lists every comment (its appendix grows with the data, by design): timed once.
        rounds = 1 if "packet" in rows[0][1] else repeat
        samples = [[] for _ in apps]
        for n, (app, (_label, url, who)) in enumerate(zip(apps, rows, strict=True)):
            if who not in clients[n]:
                clients[n][who] = signed_in_client(app, who)
            clients[n][who].get(url).close()  # (warm)
        for round_ in range(rounds):
            order = range(len(apps)) if round_ % 2 == 0 else reversed(range(len(apps)))  # (neither always first)
            for n in order:
                _label, url, who = rows[n]
                samples[n].append(timed(clients[n][who], url))
        for n in range(len(apps)):
            times[n][label] = statistics.median(samples[n])
    return times


def copy_rows(connection, table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples) into table; returns how many."""
    raw = connection.connection.driver_connection
    count = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY \"{table}\" ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def load_big(app, args) -> dict:
    """99 more districts, people, proposals, votes and comments, by COPY."""
    from codesign.extensions import db

    rng = random.Random(11)
    with app.app_context():
        engine = db.engine
        demo_proposal = ids(app)["proposal"]
        with engine.begin() as connection:
            base_district = connection.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM district")).scalar()
            districts = list(range(base_district + 1, base_district + args.districts))
            copy_rows(connection, "district", ["id", "slug", "name", "languages", "default_locale", "timezone",
                                               "suppression_threshold", "privacy_contact", "student_id_formats",
                                               "require_two_factor", "created_at"],
                      ((d, f"district-{d}", f"District {d}", "en es", "en", "America/Los_Angeles", 10, "", "", False,
                        _now()) for d in districts))
            connection.execute(sa.text("SELECT setval(pg_get_serial_sequence('district', 'id'), MAX(id)) FROM district"))
            hash_ = connection.execute(sa.text("SELECT password_hash FROM \"user\" WHERE username = 'lucia'")).scalar()
            first_user = connection.execute(sa.text('SELECT COALESCE(MAX(id), 0) FROM "user"')).scalar() + 1
            people = list(range(first_user, first_user + args.people))
            copy_rows(connection, "user", ["id", "username", "password_hash", "stakeholder_group", "preferred_locale",
                                           "display_name", "is_admin", "session_token", "created_at"],
                      ((u, f"big{u}", hash_, GROUPS[u % 5], LANGUAGES[u % 5], "", False, uuid.uuid4().hex, _now())
                       for u in people))  # (email choices: their default, none)
            connection.execute(sa.text("SELECT setval(pg_get_serial_sequence('user', 'id'), MAX(id)) FROM \"user\""))
            all_districts = [base_district] + districts  # the demo district too
            home = {u: all_districts[u % len(all_districts)] for u in people}
            copy_rows(connection, "membership", ["user_id", "district_id", "role", "created_at"],
                      ((u, home[u], "participant", _now()) for u in people))
            # Proposals: five per new district, each with one published version.
            first_proposal = connection.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM proposal")).scalar() + 1
            first_version = connection.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM proposal_version")).scalar() + 1
            proposals = {}
            rows_p, rows_v = [], []
            for n, d in enumerate(districts):
                for k in range(5):
                    pid, vid = first_proposal + n * 5 + k, first_version + n * 5 + k
                    proposals[pid] = (vid, d)
                    rows_p.append((pid, d, "open", "", _now()))
                    rows_v.append((vid, pid, 1, f"Proposal {k} of district {d}", "Summary.", "Body.", "Data.", "Purpose.",
                                   "Access.", "Retention.", "Sharing.", "Opt out.", "", _now(), _now()))
            copy_rows(connection, "proposal", ["id", "district_id", "status", "decision_note", "created_at"], rows_p)
            copy_rows(connection, "proposal_version", ["id", "proposal_id", "number", "title", "summary", "body",
                                                       "data_collected", "purpose", "access", "retention", "sharing",
                                                       "opt_out", "what_changed", "published_at", "created_at"], rows_v)
            connection.execute(sa.text(
                "UPDATE proposal SET current_version_id = v.id, comment_opens_at = now() - interval '3 days', "
                "comment_closes_at = now() + interval '30 days' FROM proposal_version v "
                "WHERE v.proposal_id = proposal.id AND proposal.id >= :first"), {"first": first_proposal})
            for table in ("proposal", "proposal_version"):
                connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"))
            demo_version = connection.execute(sa.text("SELECT current_version_id FROM proposal WHERE id = :p"),
                                              {"p": demo_proposal}).scalar()
            proposals[demo_proposal] = (demo_version, base_district)
            by_district = {}
            for pid, (vid, d) in proposals.items():
                by_district.setdefault(d, []).append((pid, vid))
            # Votes: everyone on one or two proposals of their district.
            votes = 0
            rows = []
            for u in people:
                options = by_district.get(home[u]) or [(demo_proposal, demo_version)]
                for _pid, vid in rng.sample(options, min(len(options), 1 + u % 2)):
                    rows.append((vid, u, ("support", "neutral", "oppose")[u % 3], GROUPS[u % 5], _now(), _now()))
            # The counters' triggers are off while COPY loads; one recount afterwards is quicker.
            connection.execute(sa.text("ALTER TABLE vote DISABLE TRIGGER USER"))
            votes = copy_rows(connection, "vote", ["version_id", "user_id", "stance", "stakeholder_group", "created_at",
                                                   "updated_at"], rows)
            # Comments: a quarter on the demo's attendance proposal, the rest spread out.
            others = [(pid, vid) for pid, (vid, _d) in proposals.items() if pid != demo_proposal]

            def comments():
                for n in range(args.comments):
                    pid, vid = (demo_proposal, demo_version) if n % 4 == 0 else others[n % len(others)]
                    author = people[(n * 7919) % len(people)]
                    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30))).capitalize() + "."
                    yield (pid, vid, author, rng.choice(KINDS), rng.choice(SECTIONS), GROUPS[author % 5],
                           rng.choice(LANGUAGES),
                           "online", body, "", "visible", "", 0, "", "open", "", _now())

            connection.execute(sa.text("ALTER TABLE comment DISABLE TRIGGER USER"))
            count = copy_rows(connection, "comment", [
                "proposal_id", "version_id", "author_id", "kind", "section", "stakeholder_group", "language", "channel",
                "body", "moderated_body", "moderation", "held_for", "metoo_count", "official_answer", "disposition",
                "disposition_reason", "created_at"], comments())
            for table in ("comment", "vote"):
                connection.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            recount(connection)
            recount_participants(connection)
            recount_votes(connection)
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    return {"districts": len(districts) + 1, "people": len(people), "votes": votes, "comments": count}


def _now():
    from codesign.db import utcnow

    return utcnow()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=os.environ.get("CODESIGN_TEST_DATABASE_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--districts", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15, help="times per page (the median is kept)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database afterwards (its address is printed) to look into it")
    args = parser.parse_args(argv)
    from codesign.config import normalize_database_url
    from codesign.operations.scratch import scratch_database, unique_name

    server = normalize_database_url(args.postgres_url)
    with scratch_database(server, unique_name("codesign_small"), keep=args.keep) as small_database, \
            scratch_database(server, unique_name("codesign_big"), keep=args.keep) as big_database, \
            tempfile.TemporaryDirectory(prefix="codesign-big-") as folder:
        if args.keep:
            print("Databases kept:", *(d.render_as_string(hide_password=False) for d in (small_database, big_database)))
        small_app, big_app = (make_app(database, Path(folder) / name)
                              for database, name in ((small_database, "small"), (big_database, "big")))
        started = time.perf_counter()
        sizes = load_big(big_app, args)
        load_seconds = time.perf_counter() - started
        small, large = measure([small_app, big_app], args.repeat)
        review = review_aggregates(big_app, ids(big_app))
        from codesign.extensions import db

        for app in (small_app, big_app):
            with app.app_context():
                db.engine.dispose()
    text = report(small, large, sizes, load_seconds, review, args.repeat)
    print(text)
    if not args.no_write:
        from benchmarks.run import write_section

        write_section(SECTION, text)


def make_app(database: sa.URL, folder: Path):
    """An app on `database` (created empty), migrated, with the demo district grown a little:
    the "small" data, which load_big then grows in one of the two."""
    folder.mkdir()
    app = make_benchmark_app(folder, database.render_as_string(hide_password=False), SEARCH="postgres")
    populate(app, 1, search_index=False)
    return app


def review_aggregates(app, found) -> float:
    """The review's aggregates alone (service.build), median of five, in ms."""
    from codesign.extensions import db
    from codesign.proposals.models import Proposal
    from codesign.review import service

    times = []
    with app.test_request_context("/d/riverside/"):
        from codesign.districts.service import load_district_or_404

        load_district_or_404("riverside")
        from flask import g

        proposal = db.session.get(Proposal, found["proposal"])
        for _ in range(5):
            started = time.perf_counter()
            service.build(proposal, g.district)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def report(small: dict, large: dict, sizes: dict, load_seconds: float, review_ms: float, repeat: int = 15) -> str:
    from datetime import date

    lines = [f"{SECTION} — {date.today().isoformat()}", "",
             "`.venv/bin/python -m benchmarks.bigdata`. PostgreSQL 15, in-process (Flask test client, page cache "
             f"off), median of {repeat} requests to each database in turns (the packet, which prints every comment, "
             f"once). Large: {sizes['districts']} districts, "
             f"{sizes['people']:,} participants, {sizes['votes']:,} votes, {sizes['comments']:,} more comments "
             f"(a quarter on the measured proposal), loaded by COPY in {load_seconds:.0f} s.", "",
             "| page | small | large | large ÷ small |", "|---|---|---|---|"]
    for label, before in small.items():
        after = large[label]
        flag = "" if after <= before * 1.5 or "packet" in label else " **over 1.5 ×**"
        lines.append(f"| {label} | {before:.1f} ms | {after:.1f} ms | {after / before:.2f}{flag} |")
    lines += ["", f"Review aggregates alone (`review.service.build`) at large data: {review_ms:.0f} ms (target ≤ 1 s).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
