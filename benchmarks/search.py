"""Search at scale: 1,000 proposals and 100,000 comments in five languages.

Run:  .venv/bin/python -m benchmarks.search [--engine whoosh|postgres|both] [--comments 100000]
For each engine: the time to build the whole index, its size, the median and 95th-percentile
time of a search (the engine's query and the page's excerpts, as the search page runs them),
and the delay from a new comment being saved to its appearing in results, with the background
worker applying the outbox every second as it does in production. The whoosh run uses SQLite
in a temporary folder; the PostgreSQL run a throw-away database on --postgres-url.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa

WORDS = {
    "en": "data student family privacy school years counselor attendance call home language safe records "
          "teacher principal grades retention delete share reason absence bus transport health survey".split(),
    "es": "datos estudiante familia privacidad escuela años consejero asistencia llamada casa idioma seguro "
          "registros maestro director calificaciones guardar borrar compartir razón ausencia autobús salud".split(),
    "zh": "数据 学生 家庭 隐私 学校 年 辅导员 出勤 电话 家 语言 安全 记录 老师 校长 成绩 保存 删除 分享 原因".split(),
    "ar": "البيانات الطالب العائلة الخصوصية المدرسة سنوات المرشد الحضور اتصال البيت اللغة آمن السجلات "
          "المعلم المدير الدرجات حذف مشاركة سبب الغياب الحافلة الصحة".split(),
    "vi": "dữ liệu học sinh gia đình riêng tư trường năm tư vấn chuyên cần gọi nhà ngôn ngữ an toàn hồ sơ "
          "giáo viên hiệu trưởng điểm lưu xóa chia sẻ lý do vắng mặt xe buýt sức khỏe".split(),
}
QUESTIONS = ["¿quién puede ver las calificaciones?", "who can see attendance records", "谁能看到出勤记录",
             "من يستطيع رؤية سجلات الحضور", "ai có thể xem điểm", "how long are records kept"]


SYLLABLES = {
    "en": "ba be bi bo bu da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro "
          "sa se si so ta te ti to va ve vi vo".split(),
    "es": "ba be bi bo bu ca ce ci co cu da de di do la le li lo ma me mi mo na ne ni no ña ño ra re ri ro "
          "sa se si so ta te ti to".split(),
    "vi": "ba bà bá bạ cô cơ dư đa đi gia hà hồ khá lê lý mai minh nga ngô phạm quang sơn tâm thu trần vũ".split(),
    "ar": list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي"),
    "zh": list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"),
}


def vocabulary(rng: random.Random, language: str, size: int = 1500) -> list[str]:
    """The real words first (the most frequent), then made-up ones in the language's script."""
    words = list(WORDS[language])
    syllables = SYLLABLES[language]
    seen = set(words)
    while len(words) < len(WORDS[language]) + size:
        if language == "zh":
            word = "".join(rng.sample(syllables, 2))
        elif language == "ar":
            word = "".join(rng.choice(syllables) for _ in range(rng.randint(3, 6)))
        else:
            word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Corpus:
    """Comments whose words follow a Zipf-like law (weight 1/(rank + 10)) over a vocabulary of
    real and made-up words, as text does: a few words are in many comments, most in few."""

    def __init__(self, seed: int = 9):
        self.rng = random.Random(seed)
        self.vocab = {language: vocabulary(self.rng, language) for language in WORDS}
        self.weights = {language: [1 / (rank + 10) for rank in range(len(words))]
                        for language, words in self.vocab.items()}

    def sentence(self, language: str) -> str:
        words = self.rng.choices(self.vocab[language], self.weights[language], k=self.rng.randint(8, 40))
        return ("" if language == "zh" else " ").join(words)

    def query(self, rng: random.Random, language: str) -> str:
        """1 to 3 words among the 300 most frequent (what people look for), as typed."""
        return " ".join(rng.sample(self.vocab[language][:300], rng.choice([1, 1, 2, 3])))


def populate(db, proposals: int, comments: int) -> int:  # noqa: C901
    """The demo district, then many proposals and comments written straight to the tables (as
    an import would, without the outbox: the index is built afterwards). Returns the district id."""
    from codesign.accounts.models import StakeholderGroup
    from codesign.comments.models import Comment, Kind
    from codesign.db import utcnow
    from codesign.demo import load_demo
    from codesign.districts.service import get_district
    from codesign.proposals.models import Proposal, ProposalStatus, ProposalVersion

    load_demo()
    district = get_district("riverside")
    rng = random.Random(9)
    corpus = Corpus()
    now = utcnow()
    first = (db.session.scalar(sa.select(sa.func.max(Proposal.id))) or 0) + 1
    db.session.execute(sa.insert(Proposal), [
        dict(id=first + n, district_id=district.id, status=ProposalStatus.OPEN, comment_opens_at=now - timedelta(days=1),
             comment_closes_at=now + timedelta(days=30), created_at=now, updated_at=now) for n in range(proposals)])
    version_first = (db.session.scalar(sa.select(sa.func.max(ProposalVersion.id))) or 0) + 1
    db.session.execute(sa.insert(ProposalVersion), [
        dict(id=version_first + n, proposal_id=first + n, number=1, title=f"Proposal {n}: " + corpus.sentence("en")[:80],
             summary=corpus.sentence("en"), body=corpus.sentence("en") * 3, data_collected=corpus.sentence("en"),
             purpose=corpus.sentence("en"), access=corpus.sentence("en"), retention=corpus.sentence("en"),
             sharing=corpus.sentence("en"), opt_out=corpus.sentence("en"), what_changed="", published_at=now,
             created_at=now, updated_at=now) for n in range(proposals)])
    for n in range(proposals):
        db.session.execute(sa.update(Proposal).where(Proposal.id == first + n).values(current_version_id=version_first + n))
    languages = list(WORDS)
    batch = []
    for n in range(comments):
        language = languages[n % len(languages)]
        batch.append(dict(proposal_id=first + rng.randrange(proposals), version_id=version_first, author_id=None,
                          kind=rng.choice(list(Kind)), section="general", stakeholder_group=rng.choice(list(StakeholderGroup)),
                          language=language, body=corpus.sentence(language), created_at=now, updated_at=now))
        if len(batch) == 5000:
            db.session.execute(sa.insert(Comment), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(Comment), batch)
    db.session.commit()
    return district.id


def run(engine_name: str, database_url: str, folder: str, proposals: int, comments: int) -> dict:
    os.environ["CODESIGN_INSTANCE_PATH"] = folder
    from codesign import create_app
    from codesign.extensions import db

    app = create_app({"ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": "bench", "SEARCH": engine_name,
                      "PASSWORD_HASH_PROFILE": "cheapest", "MAIL_BACKEND": "memory", "SEARCH_BACKGROUND": False,
                      "SEARCH_INTERVAL": "1.0"})
    result: dict = {"engine": engine_name}
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        started = time.perf_counter()
        district_id = populate(db, proposals, comments)
        result["populate_s"] = time.perf_counter() - started
        from codesign.search import service
        from codesign.search.engines import Filters

        started = time.perf_counter()
        result["documents"] = service.rebuild()
        result["build_s"] = time.perf_counter() - started
        result["size_mb"] = service.engine().size() / 1e6
        db.session.remove()
    rng = random.Random(4)
    corpus = Corpus()
    queries = [corpus.query(rng, list(WORDS)[n % len(WORDS)]) for n in range(300)] + QUESTIONS * 5
    times = []
    totals = []
    with app.test_request_context("/"):
        for query in queries[:20]:  # warm up
            service.search(query, Filters(district_id=district_id))
        for query in queries:
            started = time.perf_counter()
            page = service.search(query, Filters(district_id=district_id))
            times.append((time.perf_counter() - started) * 1000)
            totals.append(page.total)
        db.session.remove()
    broad = []
    with app.test_request_context("/"):
        for language in WORDS:  # the most frequent word of each language: the broadest search
            service.search(corpus.vocab[language][0], Filters(district_id=district_id))
            started = time.perf_counter()
            page = service.search(corpus.vocab[language][0], Filters(district_id=district_id))
            broad.append(((time.perf_counter() - started) * 1000, page.total))
        db.session.remove()
    result["broadest_ms"], result["broadest_results"] = max(broad)
    times.sort()
    result["queries"] = len(times)
    result["median_ms"] = statistics.median(times)
    result["p95_ms"] = times[int(len(times) * 0.95) - 1]
    result["max_ms"] = times[-1]
    result["median_results"] = statistics.median(totals)
    result["delays_s"] = new_comment_delays(app, district_id)
    return result


def new_comment_delays(app, district_id: int, tries: int = 5) -> list[float]:
    """Save a comment with a new word while the background worker runs; time until it is found."""
    from codesign.comments.models import Comment, Kind
    from codesign.extensions import db
    from codesign.proposals.models import Proposal
    from codesign.search import service
    from codesign.search.engines import Filters

    stop = threading.Event()
    worker = threading.Thread(target=service.run_worker, args=(app, stop), daemon=True)
    worker.start()
    delays = []
    try:
        for n in range(tries):
            word = f"zq{uuid.uuid4().hex[:8]}"
            with app.app_context():
                proposal = db.session.scalar(sa.select(Proposal).where(Proposal.district_id == district_id)
                                             .order_by(Proposal.id.desc()).limit(1))
                from codesign.accounts.models import StakeholderGroup

                db.session.add(Comment(proposal_id=proposal.id, version_id=proposal.current_version_id, kind=Kind.CONCERN,
                                       section="general", stakeholder_group=StakeholderGroup.FAMILY, language="en",
                                       body=f"A new comment about {word} number {n}."))
                db.session.commit()
                saved = time.perf_counter()
                db.session.remove()
            with app.test_request_context("/"):
                while service.search(word, Filters(district_id=district_id)).total == 0:
                    if time.perf_counter() - saved > 30:
                        raise RuntimeError("a new comment did not appear within 30 s")
                    time.sleep(0.02)
                    db.session.remove()
                delays.append(time.perf_counter() - saved)
                db.session.remove()
            time.sleep(rng_pause(n))
    finally:
        stop.set()
        worker.join(5)
    return delays


def rng_pause(n: int) -> float:
    return 0.3 + 0.17 * n  # saves land at different points of the worker's 1 s cycle


def report(result: dict) -> str:
    delays = result["delays_s"]
    return (f"{result['engine']}: {result['documents']:,} documents; build {result['build_s']:.1f} s; "
            f"size {result['size_mb']:.0f} MB; query median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
            f"max {result['max_ms']:.0f} ms over {result['queries']} queries (median {result['median_results']:.0f} "
            f"results; the broadest, {result['broadest_results']:,} results: {result['broadest_ms']:.0f} ms); "
            f"new comment searchable after {statistics.median(delays):.2f} s median, {max(delays):.2f} s max")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["whoosh", "postgres", "both"], default="both")
    parser.add_argument("--proposals", type=int, default=1_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (its name is printed)")
    args = parser.parse_args(argv)
    lines = []
    if args.engine in ("whoosh", "both"):
        folder = tempfile.mkdtemp(prefix="codesign-search-")
        result = run("whoosh", f"sqlite:///{folder}/bench.sqlite3", folder, args.proposals, args.comments)
        lines.append(report(result))
        print(lines[-1], flush=True)
    if args.engine in ("postgres", "both"):
        from codesign.config import normalize_database_url
        from codesign.operations.scratch import scratch_database, unique_name

        name = unique_name("codesign_bench")
        with scratch_database(normalize_database_url(args.postgres_url), name, keep=args.keep) as database:
            folder = tempfile.mkdtemp(prefix="codesign-search-")
            result = run("postgres", database.render_as_string(hide_password=False), folder,
                         args.proposals, args.comments)
            lines.append(report(result))
            print(lines[-1], flush=True)
        if args.keep:
            print(f"kept database {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
