"""Participants answer once, change their answers while open, and every bad input gets a clear
message that keeps what was typed."""
import sqlalchemy as sa

from codesign.extensions import db
from codesign.surveys.models import QuestionKind, SurveyAnswer, SurveyResponse
from tests.surveys.conftest import close, signed_in, survey_url


def full_answers(ids, options, **changes):
    single, multiple = ids[QuestionKind.SINGLE], ids[QuestionKind.MULTIPLE]
    ranking = ids[QuestionKind.RANKING]
    data = {
        f"q{single}": str(options[single][0]),
        f"q{multiple}": [str(options[multiple][0]), str(options[multiple][2])],
        f"q{ids[QuestionKind.SCALE]}": "4",
        **{f"q{ranking}-rank-{oid}": str(n) for n, oid in enumerate(options[ranking], start=1)},
        f"q{ids[QuestionKind.SHORT_TEXT]}": "Careful",
        f"q{ids[QuestionKind.LONG_TEXT]}": "Please ask families first.",
    }
    data.update(changes)
    return data


def responses(app):
    with app.app_context():
        return db.session.scalars(sa.select(SurveyResponse)).all()


def test_answer_once_and_change_while_open(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    lucia = signed_in(app, make_user, "lucia", locale="es")
    page = lucia.get(survey_url(survey_id)).get_data(as_text=True)
    assert "<fieldset" in page and "<legend>" in page and "Attendance data survey" in page
    response = lucia.post(survey_url(survey_id), full_answers(ids, options))
    assert response.status_code == 303
    single = ids[QuestionKind.SINGLE]
    lucia.post(survey_url(survey_id), full_answers(ids, options, **{f"q{single}": str(options[single][2])}))
    saved = responses(app)
    assert len(saved) == 1 and saved[0].stakeholder_group.value == "family"
    with app.app_context():
        chosen = db.session.scalar(sa.select(SurveyAnswer.option_id).where(SurveyAnswer.question_id == single))
        assert chosen == options[single][2]
        assert db.session.scalar(sa.select(sa.func.count(SurveyAnswer.id)).where(SurveyAnswer.question_id == single)) == 1
    page = lucia.get(survey_url(survey_id)).get_data(as_text=True)
    assert "Usted ya respondió esta encuesta" in page  # in her language
    assert f'value="{options[single][2]}" checked' in page and "Please ask families first." in page


def test_guests_are_asked_to_sign_in(client, survey_world):
    survey_id, ids, options = survey_world
    page = client.get(survey_url(survey_id)).get_data(as_text=True)
    assert "Sign in to answer" in page and "How long should attendance data be kept?" in page
    assert "<fieldset class=\"survey-form survey-form--read-only\" disabled>" in page and 'method="post"' not in page.split("<main")[1]
    response = client.post(survey_url(survey_id), data=full_answers(ids, options))
    assert response.status_code in (302, 303, 400)
    assert not responses(client.application)


def test_bad_answers_get_clear_messages_and_keep_what_was_typed(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    lucia = signed_in(app, make_user, "lucia")
    single, multiple, ranking = ids[QuestionKind.SINGLE], ids[QuestionKind.MULTIPLE], ids[QuestionKind.RANKING]
    cases = [
        ({f"q{single}": str(options[multiple][0])}, single, "Choose an option from the list."),  # another question's option
        ({f"q{multiple}": [str(o) for o in options[multiple][:3]]}, multiple, "more options than this question allows"),
        ({f"q{ranking}-rank-{options[ranking][0]}": "1", f"q{ranking}-rank-{options[ranking][1]}": "1"}, ranking,
         "Give each option a different place"),
        ({f"q{single}": ""}, single, "Please answer this question."),
        ({f"q{single}": "other", f"q{single}-other": ""}, single, "You chose “Other”: please say what."),
        ({f"q{ids[QuestionKind.SCALE]}": "9"}, ids[QuestionKind.SCALE], "Choose an option from the list."),
    ]
    for change, question_id, message in cases:
        response = lucia.post(survey_url(survey_id), full_answers(ids, options, **change))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, change
        assert message in page, change
        assert f'id="q{question_id}-error"' in page and f'aria-describedby="q{question_id}-error"' in page or \
            f'q{question_id}-error"' in page
        assert "Please ask families first." in page  # what was typed elsewhere stays
    assert not responses(app)


def test_answers_after_close_are_refused_and_earlier_ones_kept(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    lucia = signed_in(app, make_user, "lucia")
    lucia.post(survey_url(survey_id), full_answers(ids, options))
    close(app, survey_id)
    page = lucia.get(survey_url(survey_id)).get_data(as_text=True)
    assert "This survey is closed." in page
    single = ids[QuestionKind.SINGLE]
    response = lucia.post(survey_url(survey_id), full_answers(ids, options, **{f"q{single}": str(options[single][1])}),
                          token_from="/privacy")
    assert response.status_code == 409
    assert "not open for answers now" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(SurveyAnswer.option_id).where(SurveyAnswer.question_id == single)) == \
            options[single][0]


def test_racing_first_responses_leave_one(app, make_user, survey_world):
    """Two submissions at once from one person (threads, real connections): one response remains."""
    import threading

    from werkzeug.datastructures import MultiDict

    from codesign.accounts.service import find_user_by_login
    from codesign.surveys import service
    from codesign.surveys.models import Survey

    survey_id, ids, options = survey_world
    make_user("lucia")
    barrier = threading.Barrier(4)
    errors = []

    def submit(n):
        try:
            with app.app_context():
                survey = db.session.get(Survey, survey_id)
                questions = service.questions_of(survey)
                single = ids[QuestionKind.SINGLE]
                form = MultiDict(full_answers(ids, options, **{f"q{single}": str(options[single][n % 3])}))
                form.setlist(f"q{ids[QuestionKind.MULTIPLE]}", form.getlist(f"q{ids[QuestionKind.MULTIPLE]}")[:1])
                parsed = service.parse_answers(questions, form)
                user = find_user_by_login("lucia")
                barrier.wait(timeout=10)
                service.submit_response(survey, user, parsed, "en")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not [e for e in errors if "locked" not in str(e)], errors
    assert len(responses(app)) == 1
    with app.app_context():
        per_question = db.session.execute(
            sa.select(SurveyAnswer.question_id, sa.func.count()).where(SurveyAnswer.question_id == ids[QuestionKind.SINGLE])
            .group_by(SurveyAnswer.question_id)).all()
        assert per_question[0][1] == 1


def test_ranking_without_javascript_uses_numbered_selects(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    lucia = signed_in(app, make_user, "lucia")
    page = lucia.get(survey_url(survey_id)).get_data(as_text=True)
    ranking = ids[QuestionKind.RANKING]
    for option_id in options[ranking]:
        assert f'<select id="q{ranking}-rank-{option_id}" name="q{ranking}-rank-{option_id}">' in page
    assert "Place 3" in page
