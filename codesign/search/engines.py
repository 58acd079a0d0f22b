"""Two engines behind one interface: whoosh in the instance folder (one machine), or PostgreSQL
full-text search (many machines sharing one database).

Both take documents from documents.py, apply them by subject (every document of a subject is
replaced at once), and answer a query with one page of hits and the total. Writers take turns:
whoosh through a lock file in the index folder (held by a batch of the outbox worker, or by a
whole rebuild), PostgreSQL through an advisory lock. A writer that cannot have the lock now
simply tries again on its next turn; a reader never waits for a writer.
"""
from __future__ import annotations

import fcntl
import gc
import os
import shutil
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from whoosh.scoring import TF_IDF

from codesign.extensions import db
from codesign.search import analysis
from codesign.search.documents import Doc


@dataclass
class Filters:
    district_id: int | None = None
    type: str | None = None
    proposal_id: int | None = None
    language: str | None = None
    kind: str | None = None
    section: str | None = None
    group: str | None = None


@dataclass
class Hit:
    key: str
    type: str
    district_id: int
    language: str
    title: str
    body: str
    target: str
    proposal_ids: list[int] = field(default_factory=list)
    kind: str = ""
    section: str = ""
    group: str = ""


@dataclass
class Results:
    hits: list[Hit]
    total: int
    approximate: bool = False  # an estimate: too many matches to count on every search


def _damage() -> tuple[type[BaseException], ...]:
    """What reading a missing, truncated or overwritten whoosh index raises."""
    import pickle
    import struct
    import zlib

    from whoosh.index import IndexError as WhooshIndexError

    return (OSError, ValueError, EOFError, KeyError, struct.error, zlib.error, pickle.UnpicklingError,
            WhooshIndexError)


DAMAGE = _damage()


@contextmanager
def _quietly_closing_leaked_files():
    """whoosh leaves the files of a damaged index open when reading it fails; they are closed
    when its error is dropped. Let that happen here, without a warning for each."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


# Read index files with plain reads, not memory maps: a file damaged in place under a memory
# map kills the process (SIGBUS) instead of raising an error we can recover from.
MMAP = False
EXACT_COUNT_MAX = 1000  # above this many matches, a result count is an estimate


class IndexUnavailable(Exception):
    """The index is missing or damaged; it needs rebuilding."""


class Busy(Exception):
    """Another process is writing to the index right now."""


# ------------------------------------------------------------------------ whoosh


def _close_searchers(searchers: dict) -> None:
    for _directory, searcher in searchers.values():
        searcher.close()
    searchers.clear()



class WhooshEngine:
    name = "whoosh"

    def __init__(self, folder: Path):
        self.folder = folder
        self._index = None
        self._index_dir: str | None = None
        self._district_docs: dict = {}
        self._searchers: dict[int, tuple[str | None, object]] = {}
        self._lock = threading.Lock()
        # Searchers hold files open: close them when the engine goes, not when the collector does.
        weakref.finalize(self, _close_searchers, self._searchers)

    # -- where the index lives: folder/CURRENT names the directory of the live index

    def _current_dir(self) -> Path | None:
        try:
            name = (self.folder / "CURRENT").read_text().strip()
        except OSError:
            return None
        return self.folder / name if name else None

    def schema(self):
        from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

        fields = {name: TEXT(analyzer=analysis.analyzer(name), phrase=False) for name in analysis.FIELDS}
        return Schema(
            key=ID(unique=True, stored=True), subject=ID, type=ID(stored=True), district=ID(stored=True),
            proposals=KEYWORD(stored=True), language=ID(stored=True), kind=ID(stored=True),
            section=ID(stored=True), grp=ID(stored=True), title=STORED, body=STORED, target=STORED,
            **{f"t_{name}": spec for name, spec in fields.items()},
        )

    def _open(self):
        from whoosh.filedb.filestore import FileStorage

        directory = self._current_dir()
        if directory is None or not directory.is_dir():
            raise IndexUnavailable("no index")
        if self._index is None or self._index_dir != str(directory):
            with _quietly_closing_leaked_files():
                try:
                    self._index = FileStorage(str(directory), supports_mmap=MMAP).open_index()
                    failure = None
                except Exception as error:  # a damaged or half-written index: rebuild it
                    failure = f"{type(error).__name__}: {error}"
                if failure is not None:
                    gc.collect()
            if failure is not None:
                raise IndexUnavailable(failure)
            self._index_dir = str(directory)
        return self._index

    def is_ready(self) -> bool:
        try:
            self._open()
        except IndexUnavailable:
            return False
        return True

    @contextmanager
    def writing(self, wait: bool = False) -> Iterator[None]:
        """The one writer's turn (across processes); Busy if another has it and we don't wait."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "write.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as error:
                raise Busy() from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _fields(self, doc: Doc) -> dict:
        return dict(
            key=doc.key, subject=doc.subject, type=doc.type, district=str(doc.district_id),
            proposals=" ".join(str(p) for p in doc.proposal_ids), language=doc.language, kind=doc.kind,
            section=doc.section, grp=doc.group, title=doc.title, body=doc.body, target=doc.target,
            **{f"t_{analysis.field_for(doc.language)}": doc.indexed_text},
        )

    def apply(self, subjects: set[str], docs: list[Doc]) -> None:
        """Replace every document of these subjects (call inside `writing()`)."""
        ix = self._open()
        writer = ix.writer(timeout=5.0)
        try:
            for item in subjects:
                writer.delete_by_term("subject", item)
            for doc in docs:
                writer.add_document(**self._fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, docs: Iterable[Doc]) -> int:
        """Write a whole new index beside the live one, then switch to it (inside `writing()`)."""
        from whoosh import index

        name = f"index-{time.time_ns()}"
        target = self.folder / name
        target.mkdir(parents=True)
        ix = index.create_in(str(target), self.schema())
        writer = ix.writer(limitmb=64)
        count = 0
        for doc in docs:
            writer.add_document(**self._fields(doc))
            count += 1
        writer.commit()
        pointer = self.folder / "CURRENT.tmp"
        pointer.write_text(name)
        os.replace(pointer, self.folder / "CURRENT")
        self._index = None
        for stale in self.folder.glob("index-*"):  # a reader still on one reopens the new one
            if stale.name != name:
                shutil.rmtree(stale, ignore_errors=True)
        return count

    def size(self) -> int:
        directory = self._current_dir()
        return sum(f.stat().st_size for f in directory.iterdir()) if directory and directory.is_dir() else 0

    def search(self, query: analysis.ParsedQuery, filters: Filters, page: int, per_page: int) -> Results:
        from whoosh import query as q

        ix = self._open()
        groups = []
        for word in query.word_terms():
            options = [q.Term(f"t_{name}", term) for name, terms in word.alternatives.items() for term in terms]
            if word.cjk_pairs:
                options.append(q.And([q.Term("t_cjk", pair) for pair in word.cjk_pairs]))
            groups.append(q.Or(options))
        if not groups:
            return Results([], 0)
        matcher = q.And(groups) if query.all_words else q.Or(groups)
        others = [q.Term(name, str(value)) for name, value in (
            ("type", filters.type), ("proposals", filters.proposal_id), ("language", filters.language),
            ("kind", filters.kind), ("section", filters.section), ("grp", filters.group)) if value is not None]
        failure = None
        with _quietly_closing_leaked_files():
            try:
                # TF-IDF lets whoosh skip whole blocks that cannot reach the top of the page;
                # BM25's length normalization made every match cost a scoring call.
                searcher = self._searcher(ix)
                allow = self._allowed(searcher, filters.district_id, others)
                found = searcher.search(matcher, limit=page * per_page, filter=allow)
                estimate = found.estimated_length()
                exact = found.has_exact_length() or estimate <= EXACT_COUNT_MAX
                hits = [self._hit(dict(hit.fields())) for hit in found[(page - 1) * per_page:page * per_page]]
                return Results(hits, len(found) if exact else estimate, approximate=not exact)
            except DAMAGE as error:  # files gone or damaged under us
                failure = f"{type(error).__name__}: {error}"
            gc.collect()
        self._index = None
        raise IndexUnavailable(failure)

    def _searcher(self, ix):
        """This thread's searcher, kept open between searches (opening one reads every segment's
        files) and refreshed when the index has changed since. Searchers of threads that have
        ended are closed here (not left to the garbage collector)."""
        ident = threading.get_ident()
        with self._lock:
            alive = {thread.ident for thread in threading.enumerate()}
            for gone in [key for key in self._searchers if key not in alive]:
                self._searchers.pop(gone)[1].close()
            held = self._searchers.pop(ident, None)
        if held is not None and held[0] == self._index_dir and held[1].up_to_date():
            fresh = held[1]
        else:
            # Not searcher.refresh(): it reuses segment readers without their new deletions.
            if held is not None:
                held[1].close()
            fresh = ix.searcher(weighting=TF_IDF())
        with self._lock:
            self._searchers[ident] = (self._index_dir, fresh)
        return fresh

    def close(self) -> None:
        """Close every searcher this engine holds open."""
        with self._lock:
            _close_searchers(self._searchers)

    def _allowed(self, searcher, district_id: int | None, others: list):
        """The documents a search may return: the district's (a set kept for as long as the index
        does not change, or nothing at all when the index holds one district only), narrowed by
        the other filters."""
        from whoosh import query as q

        if district_id is None:
            return q.And(others) if others else None
        term = str(district_id)
        if searcher.doc_frequency("district", term) == searcher.doc_count_all():
            return q.And(others) if others else None
        if others:
            return q.And([q.Term("district", term), *others])
        key = (self._index_dir, searcher.reader().generation(), term)
        docs = self._district_docs.get(key)
        if docs is None:
            docs = searcher._filter_to_comb(q.Term("district", term))
            self._district_docs = {k: v for k, v in self._district_docs.items() if k[:2] == key[:2]}
            self._district_docs[key] = docs
        return docs

    @staticmethod
    def _hit(stored: dict) -> Hit:
        return Hit(key=stored["key"], type=stored["type"], district_id=int(stored["district"]),
                   language=stored["language"], title=stored.get("title", ""), body=stored.get("body", ""),
                   target=stored.get("target", ""),
                   proposal_ids=[int(p) for p in (stored.get("proposals") or "").split()],
                   kind=stored.get("kind", ""), section=stored.get("section", ""), group=stored.get("grp", ""))

    def clear(self) -> None:
        """Start again with an empty index (tests)."""
        self.close()
        with self.writing(wait=True):
            self.rebuild([])


# ------------------------------------------------------------------------ PostgreSQL

LOCK_KEY = 0x5EA2C4  # pg advisory lock shared by every writer of search_document


def _quoted(lexeme: str) -> str:
    """A lexeme as tsquery syntax takes it, verbatim."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _indexed(doc: Doc) -> tuple[str, str, str]:
    """(text search configuration, title, text) as PostgreSQL indexes the document."""
    field_name = analysis.field_for(doc.language)
    text = doc.body + ("\n" + doc.more if doc.more else "")
    if field_name == "cjk":  # PostgreSQL has no parser for these: index the character pairs
        return "simple", " ".join(analysis.terms("cjk", doc.title)), " ".join(analysis.terms("cjk", text))
    return analysis.POSTGRES_CONFIGS.get(field_name, "simple"), doc.title, text


class PostgresEngine:
    name = "postgres"

    def is_ready(self) -> bool:
        return True

    def close(self) -> None:
        pass

    @contextmanager
    def writing(self, wait: bool = False) -> Iterator[None]:
        """The one writer's turn: a transaction-level advisory lock, released at commit."""
        if wait:
            db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        elif not db.session.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}).scalar():
            db.session.rollback()
            raise Busy()
        yield

    def apply(self, subjects: set[str], docs: list[Doc]) -> None:
        """Replace every document of these subjects (in the caller's transaction)."""
        from codesign.search.models import SearchDocument

        if subjects:
            db.session.execute(sa.delete(SearchDocument).where(SearchDocument.subject.in_(sorted(subjects))))
        self._insert(docs)

    def _insert(self, docs: list[Doc]) -> None:
        if not docs:
            return
        rows = []
        for doc in docs:
            config, title, text = _indexed(doc)
            rows.append(dict(key=doc.key, subject=doc.subject, type=doc.type, district_id=doc.district_id,
                             proposal_ids=doc.proposal_ids, language=doc.language, kind=doc.kind,
                             section=doc.section, grp=doc.group, title=doc.title, body=doc.body, target=doc.target,
                             config=config, indexed_title=title, indexed_text=text))
        db.session.execute(sa.text(
            "INSERT INTO search_document (key, subject, type, district_id, proposal_ids, language, kind, section,"
            " grp, title, body, target, tsv) VALUES (:key, :subject, :type, :district_id, :proposal_ids, :language,"
            " :kind, :section, :grp, :title, :body, :target,"
            " setweight(to_tsvector(CAST(:config AS regconfig), :indexed_title), 'A')"
            " || to_tsvector(CAST(:config AS regconfig), :indexed_text))"
            " ON CONFLICT (key) DO UPDATE SET subject = EXCLUDED.subject, type = EXCLUDED.type,"
            " district_id = EXCLUDED.district_id, proposal_ids = EXCLUDED.proposal_ids, language = EXCLUDED.language,"
            " kind = EXCLUDED.kind, section = EXCLUDED.section, grp = EXCLUDED.grp, title = EXCLUDED.title,"
            " body = EXCLUDED.body, target = EXCLUDED.target, tsv = EXCLUDED.tsv"
        ), rows)

    def rebuild(self, docs: Iterable[Doc]) -> int:
        """Replace the whole index in one transaction (inside `writing()`); readers see the old
        one until it commits."""
        from codesign.search.models import SearchDocument

        db.session.execute(sa.delete(SearchDocument))
        count = 0
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= 500:
                self._insert(batch)
                count += len(batch)
                batch = []
        self._insert(batch)
        db.session.execute(sa.text("ANALYZE search_document"))  # the planner must know its new size
        return count + len(batch)

    def size(self) -> int:
        return db.session.execute(sa.text("SELECT pg_total_relation_size('search_document')")).scalar() or 0

    def _tsquery(self, query: analysis.ParsedQuery) -> str | None:
        """The query as a tsquery: each word becomes the distinct lexemes it has in every text
        search configuration we index with (one round trip), OR-ed; a CJK word, all its pairs."""
        rows, groups = [], {}
        for i, word in enumerate(query.word_terms()):
            if word.cjk_pairs:
                groups[i] = "(" + " & ".join(_quoted(pair) for pair in word.cjk_pairs) + ")"
                continue
            for form in analysis.variants(query.words[i]):
                rows += [(i, form), (i, analysis.fold(form))]
        if rows:
            params = {f"w{n}": text for n, (_i, text) in enumerate(rows)}
            params.update({f"i{n}": i for n, (i, _text) in enumerate(rows)})
            values = ", ".join(f"(CAST(:i{n} AS integer), CAST(:w{n} AS text))" for n in range(len(rows)))
            found = db.session.execute(sa.text(
                "SELECT i, array_agg(DISTINCT lexeme ORDER BY lexeme) FROM ("
                " SELECT words.i, unnest(tsvector_to_array(to_tsvector(CAST(config AS regconfig), words.w))) AS lexeme"
                f" FROM (VALUES {values}) AS words(i, w),"
                "  unnest(ARRAY['english', 'spanish', 'russian', 'arabic', 'simple']) AS config) AS lexemes"
                " GROUP BY i"), params).all()
            for i, lexemes in found:
                groups[i] = "(" + " | ".join(_quoted(lexeme) for lexeme in lexemes) + ")"
        if not groups:
            return None
        return (" & " if query.all_words else " | ").join(groups[i] for i in sorted(groups))

    def search(self, query: analysis.ParsedQuery, filters: Filters, page: int, per_page: int) -> Results:
        tsquery = self._tsquery(query)
        if tsquery is None:
            return Results([], 0)
        params: dict = {"query": tsquery}
        where = ["d.tsv @@ q.query"]
        for column, value in (("district_id", filters.district_id), ("type", filters.type),
                              ("language", filters.language), ("kind", filters.kind),
                              ("section", filters.section), ("grp", filters.group)):
            if value is not None:
                params[f"f_{column}"] = value
                where.append(f"d.{column} = :f_{column}")
        if filters.proposal_id is not None:
            params["f_proposal"] = filters.proposal_id
            where.append(":f_proposal = ANY(d.proposal_ids)")
        params.update(limit=per_page, offset=(page - 1) * per_page)
        rows = db.session.execute(sa.text(
            f"SELECT d.key, d.type, d.district_id, d.language, d.title, d.body, d.target, d.proposal_ids,"
            f" d.kind, d.section, d.grp, count(*) OVER () AS total"
            f" FROM search_document d, (SELECT CAST(:query AS tsquery) AS query) q"
            f" WHERE {' AND '.join(where)}"
            f" ORDER BY ts_rank(d.tsv, q.query) DESC, d.key LIMIT :limit OFFSET :offset"
        ), params).all()
        hits = [Hit(key=r.key, type=r.type, district_id=r.district_id, language=r.language, title=r.title,
                    body=r.body, target=r.target, proposal_ids=list(r.proposal_ids or []), kind=r.kind,
                    section=r.section, group=r.grp) for r in rows]
        return Results(hits, rows[0].total if rows else 0)

    def clear(self) -> None:
        from codesign.search.models import SearchDocument

        db.session.execute(sa.delete(SearchDocument))
        db.session.commit()
