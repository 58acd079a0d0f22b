"""Every search test runs against both engines: whoosh always, PostgreSQL where the tests run on
PostgreSQL (CI's second pass)."""
from datetime import timedelta

import pytest

from codesign.db import utcnow
from codesign.extensions import db
from tests.conftest import POSTGRES_URL, Browser


@pytest.fixture(params=["whoosh", "postgres"])
def search_engine(request, app):
    from codesign.search import service

    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("the PostgreSQL search engine needs CODESIGN_TEST_DATABASE_URL (CI's second pass runs it)")
    app.config["SEARCH"] = request.param
    previous = app.extensions.pop(service.ENGINE, None)
    if previous is not None:
        previous.close()
    with app.app_context():
        service.engine().clear()
    yield request.param
    app.config["SEARCH"] = "whoosh"
    app.extensions.pop(service.ENGINE).close()


def catch_up(app) -> int:
    from codesign.search import service

    with app.app_context():
        return service.catch_up()


@pytest.fixture
def world(app, make_open_proposal, make_user, search_engine):
    """A proposal (with a Spanish translation), comments in five languages (one withdrawn), a
    published and a draft log entry, a published and a draft survey, a session, and a draft
    proposal; everything applied to the index."""
    from codesign.accounts.service import find_user_by_login
    from codesign.comments import service as comments
    from codesign.comments.models import Kind
    from codesign.community import service as community
    from codesign.content_translations import service as translations
    from codesign.content_translations.models import Origin
    from codesign.districts.service import get_district
    from codesign.proposals import service as proposals
    from codesign.proposals.models import Proposal
    from codesign.responselog import service as log
    from codesign.responselog.models import Outcome
    from codesign.surveys import service as surveys
    from codesign.surveys.models import QuestionKind

    proposal_id = make_open_proposal()
    make_user("lucia", locale="es")
    ids = {"proposal": proposal_id}
    with app.app_context():
        district = get_district("riverside")
        staff, lucia = find_user_by_login("staff"), find_user_by_login("lucia")
        proposal = db.session.get(Proposal, proposal_id)
        texts = {
            "en": "How long is the retention of attendance records?",
            "es": "Mi hija está corriendo riesgos: ¿quién puede ver las calificaciones?",
            "vi": "Ai có thể xem dữ liệu chuyên cần của con tôi?",
            "zh": "孩子毕业以后，这些出勤记录会保存多久？",
            "ar": "لا نريد أن يرى الجميع أسباب غياب بناتنا في المدرسة",
            "ko": "출석 정보는 누가 볼 수 있나요?",
        }
        for language, body in texts.items():
            comment = comments.post_comment(proposal, lucia, kind=Kind.CONCERN if language != "zh" else Kind.QUESTION,
                                            section="retention" if language == "en" else "access", body=body,
                                            language=language)
            ids[f"comment_{language}"] = comment.id
        gone = comments.post_comment(proposal, lucia, kind=Kind.CONCERN, section="access", language="en",
                                     body="Withdrawn thoughts about retention and the secret word zebra.")
        comments.withdraw_comment(gone, lucia)
        ids["withdrawn"] = gone.id
        translations.save(proposal, district, staff, "es", {"title": "Panel de asistencia escolar"},
                          {"title": translations.source_hash(proposal.current_version.title)}, Origin.DISTRICT)
        entry = log.create_entry(proposal, staff, heard="Families asked about retention periods.",
                                 outcome=Outcome.CHANGED, reasons="We shortened retention to one year.",
                                 from_version_id=None, to_version_id=None, amends_id=None)
        log.publish_entry(entry)
        ids["entry_sequence"] = entry.sequence
        log.create_entry(proposal, staff, heard="A draft about the zebra crossing.", outcome=Outcome.CHANGED,
                         reasons="Not published yet: zebra.", from_version_id=None, to_version_id=None,
                         amends_id=None)
        now = utcnow()
        survey = surveys.create_survey(district, staff, title="Retention survey", intro="Tell us about retention.",
                                       proposal_id=proposal_id, opens_at=now - timedelta(days=1),
                                       closes_at=now + timedelta(days=7))
        surveys.add_question(survey, kind=QuestionKind.SINGLE, prompt="How long should records be kept?",
                             required=False, allow_other=False, max_choices=None, options=["One year", "Two years"])
        surveys.publish_survey(survey)
        ids["survey"] = survey.id
        draft_survey = surveys.create_survey(district, staff, title="Zebra survey draft", intro="",
                                             proposal_id=None, opens_at=None, closes_at=None)
        ids["draft_survey"] = draft_survey.id
        organization = community.save_organization(district, None, name="Familias Unidas", description="",
                                                   languages=["es"], contact="")
        start = now + timedelta(days=3)
        session = community.schedule_session(district, organization, staff, community.SessionFields(
            title="Library talk about retention", starts_at=start, ends_at=start + timedelta(hours=2),
            mode=community.SessionMode.IN_PERSON, place="Riverside Library", online_link="", step_free=True,
            childcare=False, food=False, interpretation=[], languages=["es"], capacity=None,
            proposal_ids=[proposal_id]))
        ids["session"] = session.id
        draft = proposals.create_proposal(district, staff, {"title": "Zebra crossing cameras (draft)",
                                                            "summary": "", "body": ""})
        ids["draft_proposal"] = draft.id
    catch_up(app)
    return ids


def comment(app, proposal_id, *bodies, kind="suggestion", section="purpose", language="en"):
    """Lucia comments on a proposal, once per body (not yet applied to the index)."""
    from codesign.accounts.service import find_user_by_login
    from codesign.comments import service as comments
    from codesign.comments.models import Kind
    from codesign.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        lucia = find_user_by_login("lucia")
        for body in bodies:
            comments.post_comment(proposal, lucia, kind=Kind(kind), section=section, language=language, body=body)


def search(app, query="", url="/d/riverside/search", **params):
    page = Browser(app.test_client()).get(url, query_string={"q": query, **params})
    assert page.status_code == 200, page.status_code
    return page.get_data(as_text=True)
