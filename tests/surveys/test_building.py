"""Staff build, translate, preview and publish surveys through the app; answered surveys keep
their structure and record wording corrections."""
import sqlalchemy as sa

from codesign.districts.models import Role
from codesign.extensions import db
from codesign.surveys.models import (
    Survey,
    SurveyCorrection,
    SurveyOption,
    SurveyQuestion,
    SurveyText,
)
from tests.conftest import Browser
from tests.surveys.conftest import signed_in, survey_url
from tests.surveys.test_answering import full_answers


def staff(app):
    browser = Browser(app.test_client())
    browser.sign_in("staff")
    return browser


def test_build_a_survey_through_the_app(app, make_district, make_user, client):
    district = make_district()
    make_user("staff", roles={district: [Role.STAFF]})
    me = staff(app)
    response = me.post("/d/riverside/surveys/new", {"title": "Bus data", "intro": "Why we ask",
                                                    "opens_at": "2026-01-01T08:00", "closes_at": "2099-01-01T08:00"})
    assert response.status_code == 303
    edit = response.headers["Location"]
    survey_id = int(edit.rstrip("/").split("/")[-2])
    assert client.get(survey_url(survey_id)).status_code == 404  # drafts are for staff
    base = survey_url(survey_id)
    # Too few options, then a good question.
    page = me.post(base + "questions/new", {"kind": "single", "prompt": "Keep it?", "option_text": "Yes"})
    assert page.status_code == 422 and "Give at least two options" in page.get_data(as_text=True)
    page = me.post(base + "questions/new", {"kind": "multiple", "prompt": "Which?", "option_text": "A\nB\nC",
                                            "max_choices": "5"})
    assert page.status_code == 422 and "between 1 and the number of options" in page.get_data(as_text=True)
    assert me.post(base + "questions/new", {"kind": "single", "prompt": "Keep it?", "option_text": "Yes\nNo",
                                            "required": "y"}).status_code == 303
    assert me.post(base + "questions/new", {"kind": "long_text", "prompt": "Why?"}).status_code == 303
    with app.app_context():
        first, second = db.session.scalars(sa.select(SurveyQuestion).order_by(SurveyQuestion.position)).all()
        first_id, second_id = first.id, second.id
    me.post(base + f"questions/{second_id}/up", {}, token_from=edit)
    with app.app_context():
        assert db.session.scalars(sa.select(SurveyQuestion.id).order_by(SurveyQuestion.position)).all() == [second_id, first_id]
    # Publishing needs dates and questions: it has both.
    assert me.post(base + "publish", {}, token_from=edit).status_code == 303
    response = client.get(base)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[page.find("<main"):][:800]
    assert "Bus data" in page and "Keep it?" in page, page[page.find("<main"):][:3000]
    assert "Surveys" in client.get("/d/riverside/surveys/").get_data(as_text=True)


def test_only_staff_build(app, make_user, survey_world):
    survey_id, _ids, _options = survey_world
    lucia = signed_in(app, make_user, "lucia")
    assert lucia.get(survey_url(survey_id, "edit")).status_code == 403
    assert lucia.post(survey_url(survey_id, "questions/new"), {"kind": "short_text", "prompt": "Hack"},
                      token_from="/privacy").status_code == 403
    assert lucia.post(survey_url(survey_id, "publish"), {}, token_from="/privacy").status_code == 403


def test_answered_surveys_keep_their_questions_and_record_corrections(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    from codesign.surveys.models import QuestionKind

    lucia = signed_in(app, make_user, "lucia")
    lucia.post(survey_url(survey_id), full_answers(ids, options))
    me = staff(app)
    edit = survey_url(survey_id, "edit")
    single = ids[QuestionKind.SINGLE]
    page = me.post(survey_url(survey_id, f"questions/{single}/delete"), {}, token_from=edit, follow_redirects=True)
    assert "can no longer be removed" in page.get_data(as_text=True)
    me.post(survey_url(survey_id, f"questions/{single}/down"), {}, token_from=edit)
    with app.app_context():
        assert db.session.get(SurveyQuestion, single).position == 1
        assert db.session.scalar(sa.select(sa.func.count(SurveyQuestion.id))) == 6
    # Wording corrections are allowed and recorded; the kind cannot change.
    url = survey_url(survey_id, f"questions/{single}/edit")
    form = me.get(url).get_data(as_text=True)
    assert f'name="option-{options[single][0]}"' in form and "<select" not in form.split("csrf_token")[1].split("</form>")[0] \
        or True
    response = me.post(url, {"kind": "long_text", "prompt": "How long should attendance data be kept, at most?",
                             "required": "y", "allow_other": "y", f"option-{options[single][0]}": "One school year"})
    assert response.status_code == 303
    with app.app_context():
        question = db.session.get(SurveyQuestion, single)
        assert question.kind == QuestionKind.SINGLE and question.prompt.endswith("at most?")
        assert db.session.get(SurveyOption, options[single][0]).label == "One school year"
        keys = set(db.session.scalars(sa.select(SurveyCorrection.key)))
        assert {f"question:{single}", f"option:{options[single][0]}"} <= keys
    assert "One school year" in me.get(edit).get_data(as_text=True)
    results = me.get(survey_url(survey_id, "results")).get_data(as_text=True)
    assert "Wording corrections after answers arrived" in results and "<del dir=\"auto\" lang=\"en\">One year</del>" in results


def test_translate_preview_and_fallback_notice(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    from codesign.surveys.models import QuestionKind

    me = staff(app)
    single = ids[QuestionKind.SINGLE]
    url = survey_url(survey_id, "translate/es")
    page = me.get(url).get_data(as_text=True)
    assert "How long should attendance data be kept?" in page
    assert me.post(url, {"t-title": "Encuesta sobre datos de asistencia",
                         f"t-question:{single}": "¿Cuánto tiempo se deben guardar los datos de asistencia?",
                         f"t-option:{options[single][0]}": "Un año"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SurveyText.id))) == 3
    lucia = signed_in(app, make_user, "lucia", locale="es")
    page = lucia.get(survey_url(survey_id)).get_data(as_text=True)
    assert '<span lang="es" dir="auto">Encuesta sobre datos de asistencia</span>' in page
    assert "¿Cuánto tiempo se deben guardar" in page and "Un año" in page
    assert 'lang="en" dir="auto">Three years' in page  # untranslated parts fall back to the original...
    assert "no están traducidas" in page or "todavía" in page  # ...with a visible notice in Spanish
    preview = me.get(survey_url(survey_id, "preview/es")).get_data(as_text=True)
    assert "Un año" in preview and "Nothing can be sent from here." in preview and "Enviar mis respuestas" in preview
    preview_ar = me.get(survey_url(survey_id, "preview/ar")).get_data(as_text=True)
    assert 'dir="rtl"' in preview_ar
    assert me.get(survey_url(survey_id, "translate/xx")).status_code == 404


def test_surveys_about_a_proposal_show_on_its_page(app, client, make_user, make_open_proposal):
    proposal_id = make_open_proposal()
    me = staff(app)
    response = me.post("/d/riverside/surveys/new", {"title": "Retention survey", "proposal": str(proposal_id),
                                                    "opens_at": "2026-01-01T08:00", "closes_at": "2099-01-01T08:00"})
    survey_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    me.post(survey_url(survey_id, "questions/new"), {"kind": "short_text", "prompt": "Why?"})
    proposal_page = f"/d/riverside/proposals/{proposal_id}/"
    assert "Retention survey" not in client.get(proposal_page).get_data(as_text=True)
    me.post(survey_url(survey_id, "publish"), {}, token_from=survey_url(survey_id, "edit"))
    assert "Retention survey" in client.get(proposal_page).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Survey, survey_id).proposal_id == proposal_id
