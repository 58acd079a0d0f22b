"""A district with staff, a board member, a facilitator and an open survey of every question kind."""
from datetime import timedelta

import pytest

from codesign.db import utcnow
from codesign.districts.models import Role
from codesign.extensions import db
from codesign.surveys import service
from codesign.surveys.models import QuestionKind, Survey
from tests.conftest import Browser

QUESTIONS = [
    (QuestionKind.SINGLE, "How long should attendance data be kept?", ["One year", "Three years", "Until graduation"],
     dict(required=True, allow_other=True)),
    (QuestionKind.MULTIPLE, "Who should see it?", ["Counselors", "Teachers", "Principals", "Families"],
     dict(max_choices=2)),
    (QuestionKind.SCALE, "The dashboard would help students.", [], {}),
    (QuestionKind.RANKING, "What matters most?", ["Privacy", "Early help", "Cost"], {}),
    (QuestionKind.SHORT_TEXT, "One word for this idea", [], {}),
    (QuestionKind.LONG_TEXT, "Anything else?", [], {}),
]


@pytest.fixture
def survey_world(app, make_district, make_user):
    """Returns (survey id, {kind: question id}, {question id: [option ids]})."""
    district = make_district(threshold=3)
    staff = make_user("staff", roles={district: [Role.STAFF]})
    make_user("board", roles={district: [Role.BOARD]})
    make_user("facilitator", roles={district: [Role.FACILITATOR]})
    with app.app_context():
        district = db.session.merge(district)
        now = utcnow()
        survey = service.create_survey(district, staff, title="Attendance data survey", intro="Tell us what you think.",
                                       proposal_id=None, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7))
        ids, options = {}, {}
        for kind, prompt, labels, extra in QUESTIONS:
            question = service.add_question(survey, kind=kind, prompt=prompt, required=extra.get("required", False),
                                            allow_other=extra.get("allow_other", False),
                                            max_choices=extra.get("max_choices"), options=labels)
            ids[kind] = question.id
        for question in service.questions_of(survey):
            options[question.id] = [option.id for option in question.options]
        service.publish_survey(survey)
        return survey.id, ids, options


def signed_in(app, make_user, name, **kw):
    make_user(name, **kw)
    browser = Browser(app.test_client())
    browser.sign_in(name)
    return browser


def survey_url(survey_id, suffix=""):
    return f"/d/riverside/surveys/{survey_id}/{suffix}"


def close(app, survey_id):
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
