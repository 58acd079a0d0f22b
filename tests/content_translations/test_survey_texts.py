"""Survey translations know the original they were made from: a reworded question makes its
translation outdated (readers are told; staff see it on the dashboard), and readers can ask for
a survey in their language."""
import re

import sqlalchemy as sa

from codesign.extensions import db
from codesign.surveys.models import QuestionKind
from tests.content_translations.test_translations import reader, staff
from tests.surveys.conftest import survey_url, survey_world  # noqa: F401 (fixture)


def translate_all(browser, survey_id, locale, texts, **extra):
    url = survey_url(survey_id, f"translate/{locale}")
    page = browser.get(url).get_data(as_text=True)
    hashes = dict(re.findall(r'name="(h-[a-z]+(?::\d+)?)" value="([0-9a-f]*)"', page))
    return browser.post(url, {**hashes, **texts, **extra})


def spanish_texts(app, survey_id):
    from codesign.surveys import service
    from codesign.surveys.models import Survey

    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        return {f"t-{key}": f"ES {text}" for key, text in service.sources_of(survey, service.questions_of(survey)).items()}


def reword(app, survey_id, question_id, prompt):
    from codesign.accounts.service import find_user_by_login
    from codesign.surveys import service
    from codesign.surveys.models import Survey, SurveyQuestion

    with app.app_context():
        question = db.session.get(SurveyQuestion, question_id)
        service.update_question(db.session.get(Survey, survey_id), question, find_user_by_login("staff"),
                                prompt=prompt, required=question.required, allow_other=question.allow_other,
                                max_choices=question.max_choices)


def test_a_reworded_question_makes_its_translation_outdated_until_it_is_revised(app, survey_world):  # noqa: F811
    survey_id, ids, _options = survey_world
    me = staff(app)
    texts = spanish_texts(app, survey_id)
    assert translate_all(me, survey_id, "es", texts, origin="community_reviewed").status_code == 303
    page = reader(app, "es").get(survey_url(survey_id)).get_data(as_text=True)
    assert 'id="translation"' in page and "request-translation" not in page  # complete: who translated it
    dashboard = me.get("/d/riverside/translations").get_data(as_text=True)
    assert survey_url(survey_id, "translate/es") not in dashboard

    question = ids[QuestionKind.SCALE]
    reword(app, survey_id, question, "The dashboard would help students in trouble.")
    page = reader(app, "es").get(survey_url(survey_id)).get_data(as_text=True)
    assert f"{survey_url(survey_id)}?lang=en" in page  # "read the original"
    dashboard = me.get("/d/riverside/translations").get_data(as_text=True)
    assert survey_url(survey_id, "translate/es") in dashboard
    editor = me.get(survey_url(survey_id, "translate/es")).get_data(as_text=True)
    assert f'name="ok-question:{question}"' in editor

    # Saving the form without touching the outdated text does not make it current...
    translate_all(me, survey_id, "es", texts)
    assert survey_url(survey_id, "translate/es") in me.get("/d/riverside/translations").get_data(as_text=True)
    # ...saying it is still right does.
    translate_all(me, survey_id, "es", texts, **{f"ok-question:{question}": "y"})
    assert survey_url(survey_id, "translate/es") not in me.get("/d/riverside/translations").get_data(as_text=True)


def test_a_survey_request_counts_once_per_browser(app, survey_world):  # noqa: F811
    from codesign.content_translations.models import ContentTranslationRequest

    survey_id, _ids, _options = survey_world
    guest = reader(app, "ar")
    url = survey_url(survey_id)
    page = guest.get(url).get_data(as_text=True)
    assert survey_url(survey_id, "request-translation") in page
    for _ in range(3):
        assert guest.post(survey_url(survey_id, "request-translation"), {}, token_from=url).status_code == 303
    assert survey_url(survey_id, "request-translation") not in guest.get(url).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ContentTranslationRequest.id))) == 1
    dashboard = staff(app).get("/d/riverside/translations").get_data(as_text=True)
    row = dashboard[dashboard.index(survey_url(survey_id, "translate/ar")):]
    assert "1 request" in row[:600]


def test_the_dashboard_costs_the_same_queries_at_one_and_at_six_surveys(app, survey_world, count_queries):  # noqa: F811
    from codesign.surveys import service
    from codesign.surveys.models import Survey

    survey_id, _ids, _options = survey_world
    me = staff(app)
    counts = []
    for total in (1, 6):
        with app.app_context():
            model = db.session.get(Survey, survey_id)
            while db.session.scalar(sa.select(sa.func.count(Survey.id))) < total:
                copy = service.create_survey(model_district(model), None, title="Another survey", intro="",
                                             proposal_id=None, opens_at=model.opens_at, closes_at=model.closes_at)
                service.add_question(copy, kind=QuestionKind.SINGLE, prompt="Yes or no?", required=False,
                                     allow_other=False, max_choices=None, options=["Yes", "No"])
                service.publish_survey(copy)
        me.get("/d/riverside/translations")
        with count_queries() as counter:
            page = me.get("/d/riverside/translations").get_data(as_text=True)
        counts.append(counter["n"])
        assert page.count("translate/es") >= total
    assert counts[0] == counts[1]


def model_district(survey):
    from codesign.districts.models import District

    return db.session.get(District, survey.district_id)
