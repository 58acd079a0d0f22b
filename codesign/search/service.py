"""Searching, keeping the index current, and rebuilding it.

The web request only reads. Changes reach the index through the outbox (outbox.py), applied by
`process_outbox` in a background thread of each app process (or `flask search-worker`); a
missing or damaged index is rebuilt in the background while search says so.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup, escape

from codesign.extensions import db
from codesign.search import analysis
from codesign.search.documents import all_documents, documents_for
from codesign.search.engines import (
    Busy,
    Filters,
    Hit,
    IndexUnavailable,
    PostgresEngine,
    WhooshEngine,
)
from codesign.search.models import SearchOutbox

ENGINE = "codesign.search.engine"
REBUILDER = "codesign.search.rebuilder"
WORKER = "codesign.search.worker"
PER_PAGE = 10
MAX_PAGES = 100
EXCERPT = 220  # characters around the first match
OUTBOX_BATCH = 500


def engine(app=None):
    """This app's engine: PostgreSQL when asked for and the database is PostgreSQL, else whoosh."""
    app = app or current_app
    found = app.extensions.get(ENGINE)
    if found is None:
        wanted = app.config["SEARCH"]
        if wanted == "postgres" and db.engine.dialect.name == "postgresql":
            found = PostgresEngine()
        else:
            if wanted == "postgres":
                app.logger.warning("CODESIGN_SEARCH=postgres needs a PostgreSQL database; using whoosh.")
            folder = app.config["SEARCH_INDEX_DIR"] or os.path.join(app.instance_path, "search")
            found = WhooshEngine(Path(folder))
        app.extensions[ENGINE] = found
    return found


# ---------------------------------------------------------------- keeping the index current

def process_outbox(limit: int = OUTBOX_BATCH) -> int:
    """Apply waiting changes to the index: how many were applied (0 when there were none, when
    another process is applying them, or when the index must be rebuilt first)."""
    search_engine = engine()
    if not search_engine.is_ready():
        start_rebuild()
        return 0
    try:
        with search_engine.writing():
            rows = db.session.execute(
                sa.select(SearchOutbox.id, SearchOutbox.subject).order_by(SearchOutbox.id).limit(limit)).all()
            if not rows:
                db.session.rollback()
                return 0
            subjects = {row.subject for row in rows}
            docs = documents_for(subjects)
            search_engine.apply(subjects | {doc.subject for doc in docs}, docs)
            db.session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_([row.id for row in rows])))
            db.session.commit()
            return len(rows)
    except Busy:
        return 0
    except IndexUnavailable:
        db.session.rollback()
        start_rebuild()
        return 0


def catch_up() -> int:
    """Apply everything waiting (tests, the CLI and the benchmark)."""
    applied = 0
    while (count := process_outbox()) > 0:
        applied += count
    return applied


def rebuild(force: bool = True) -> int:
    """Build the whole index again from the database; how many documents it holds. Changes
    made meanwhile stay in the outbox and are applied after."""
    search_engine = engine()
    with search_engine.writing(wait=True):
        if not force and search_engine.is_ready():
            db.session.rollback()
            return -1  # another process rebuilt it while we waited
        covered = list(db.session.scalars(sa.select(SearchOutbox.id)))
        count = search_engine.rebuild(all_documents())
        for start in range(0, len(covered), 1000):
            db.session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_(covered[start:start + 1000])))
        db.session.commit()
    return count


def start_rebuild(app=None) -> threading.Thread:
    """Rebuild in a background thread of this process, unless one is already running."""
    app = app or current_app._get_current_object()
    running = app.extensions.get(REBUILDER)
    if running is not None and running.is_alive():
        return running

    def work():
        with app.app_context():
            try:
                rebuild(force=False)
            except Exception:  # logged; the next search tries again
                app.logger.exception("Rebuilding the search index failed")
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, name="search-rebuild", daemon=True)
    app.extensions[REBUILDER] = thread
    thread.start()
    return thread


def wait_for_rebuild(app=None, timeout: float = 60) -> None:
    thread = (app or current_app).extensions.get(REBUILDER)
    if thread is not None:
        thread.join(timeout)


def start_worker(app) -> None:
    """Apply the outbox every SEARCH_INTERVAL seconds in a background thread of this process."""
    if app.extensions.get(WORKER) == os.getpid():
        return
    app.extensions[WORKER] = os.getpid()
    threading.Thread(target=run_worker, args=(app,), name="search-outbox", daemon=True).start()


def run_worker(app, stop: threading.Event | None = None) -> None:
    interval = float(app.config["SEARCH_INTERVAL"])
    while stop is None or not stop.is_set():
        with app.app_context():
            try:
                catch_up()
            except Exception:  # a database hiccup: try again next turn
                app.logger.exception("Applying search changes failed")
                db.session.rollback()
            finally:
                db.session.remove()
        time.sleep(interval)


# ---------------------------------------------------------------- searching

@dataclass
class Result:
    type: str
    url: str
    heading: str
    heading_lang: str
    excerpt: Markup
    language: str
    hit: Hit
    district_name: str = ""


@dataclass
class SearchPage:
    query: analysis.ParsedQuery
    results: list[Result] = field(default_factory=list)
    total: int = 0
    page: int = 1
    rebuilding: bool = False
    approximate: bool = False

    @property
    def pages(self) -> int:
        """Result pages one can step through (the first hundred, at most)."""
        return min(MAX_PAGES, max(1, -(-self.total // PER_PAGE)))


def search(raw: str, filters: Filters, page: int = 1) -> SearchPage:
    query = analysis.parse_query(raw)
    page = max(1, min(page, MAX_PAGES))
    result = SearchPage(query, page=page)
    if not query.words:
        return result
    try:  # a missing or damaged index says so here: no separate check (it would open it twice)
        found = engine().search(query, filters, page, PER_PAGE)
    except IndexUnavailable:
        start_rebuild()
        result.rebuilding = True
        return result
    result.total = found.total
    result.approximate = found.approximate
    result.results = _present(found.hits, query)
    return result


def excerpt(text: str, language: str, query: analysis.ParsedQuery, size: int = EXCERPT) -> Markup:
    """A piece of `text` around its first match, the matches marked, everything escaped."""
    spans = analysis.highlight_spans(text, language, query)
    start = 0
    if spans:
        start = max(0, spans[0][0] - size // 4)
        space = text.rfind(" ", 0, start)
        start = space + 1 if start and space > start - 20 else start
    end = min(len(text), start + size)
    pieces = [Markup("… ")] if start else []
    cursor = start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        pieces += [escape(text[cursor:span_start]), Markup("<mark>"), escape(text[span_start:span_end]),
                   Markup("</mark>")]
        cursor = span_end
    pieces.append(escape(text[cursor:end]))
    if end < len(text):
        pieces.append(Markup(" …"))
    return Markup("").join(pieces)


def _present(hits: list[Hit], query: analysis.ParsedQuery) -> list[Result]:
    """Links, headings and excerpts for a page of hits: two queries, however many hits."""
    from flask import url_for
    from flask_babel import gettext as _

    from codesign.districts.models import District
    from codesign.proposals.models import Proposal, ProposalVersion

    districts = {d.id: d for d in db.session.scalars(
        sa.select(District).where(District.id.in_({hit.district_id for hit in hits})))} if hits else {}
    proposal_ids = {hit.proposal_ids[0] for hit in hits if hit.proposal_ids and hit.type in ("comment", "entry")}
    titles = dict(db.session.execute(
        sa.select(Proposal.id, ProposalVersion.title).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .where(Proposal.id.in_(proposal_ids))).all()) if proposal_ids else {}
    results = []
    for hit in hits:
        district = districts.get(hit.district_id)
        if district is None:
            continue
        slug, original = district.slug, district.default_locale
        translated = hit.key.count(":") == 2
        lang = {"lang": hit.language} if translated else {}
        if hit.type == "proposal":
            url = url_for("proposals.show", district_slug=slug, proposal_id=int(hit.target), **lang)
        elif hit.type == "comment":
            url = url_for("comments.show", district_slug=slug, proposal_id=hit.proposal_ids[0],
                          comment_id=int(hit.target))
        elif hit.type == "entry":
            url = url_for("responselog.entry", district_slug=slug, sequence=int(hit.target), **lang)
        elif hit.type == "survey":
            url = url_for("surveys.show", district_slug=slug, survey_id=int(hit.target), **lang)
        else:
            url = url_for("community.session_page", district_slug=slug, session_id=int(hit.target), **lang)
        if hit.type in ("comment", "entry"):
            heading = titles.get(hit.proposal_ids[0], "") if hit.proposal_ids else ""
            heading_lang = original
        else:
            heading, heading_lang = hit.title, hit.language
        if hit.type == "entry":
            heading = _("Entry %(number)s", number=hit.target) + (f" · {heading}" if heading else "")
        text = hit.body or hit.title
        results.append(Result(hit.type, url, heading, heading_lang, excerpt(text, hit.language, query),
                              hit.language, hit, district.name))
    return results
