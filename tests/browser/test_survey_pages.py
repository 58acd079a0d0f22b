"""Survey pages pass axe-core at both sizes, JS on and off, LTR and RTL; a parent answers a
survey, ranking included, with and without JavaScript and by keyboard."""
import pytest
import sqlalchemy as sa

from codesign.districts.models import Role
from tests.browser.conftest import sign_in
from tests.browser.test_proposal_pages import demo_proposals  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_surveys(app, demo_proposals, make_user):  # noqa: F811
    from codesign.accounts.service import find_user_by_login
    from codesign.demo_surveys import load_demo_surveys
    from codesign.districts.service import get_district
    from codesign.extensions import db
    from codesign.surveys.models import Survey, SurveyQuestion

    revised, _draft = demo_proposals
    with app.app_context():
        district = get_district("riverside")
        make_user("board", roles={district: [Role.BOARD]})
        make_user("facilitator", roles={district: [Role.FACILITATOR]})
        from codesign.proposals.models import Proposal

        load_demo_surveys(get_district("riverside"), find_user_by_login("staff"), db.session.get(Proposal, revised))
        open_id, closed_id = db.session.scalars(sa.select(Survey.id).order_by(Survey.id)).all()
        question_id = db.session.scalar(sa.select(SurveyQuestion.id).where(SurveyQuestion.survey_id == open_id)
                                        .order_by(SurveyQuestion.position))
    return open_id, closed_id, question_id


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_survey_pages_are_accessible(page, demo_surveys, make_user, check_accessibility, language):
    open_id, closed_id, question_id = demo_surveys
    base = f"/d/riverside/surveys/{open_id}/"
    page.goto("/d/riverside/")
    page.get_by_role("button", name=language).click()
    page.wait_for_load_state()
    for url in ("/d/riverside/surveys/", base, f"/d/riverside/surveys/{closed_id}/",
                f"/d/riverside/surveys/{closed_id}/results"):
        page.goto(url)
        assert page.locator("h1").count() == 1
        check_accessibility(page)
    sign_in(page, "staff")
    for url in (base + "edit", base + "translate/es", base + "preview/ar", base + "paper", base + "review",
                base + f"questions/{question_id}/edit", base + "questions/new", "/d/riverside/surveys/new",
                base + "results?by=group", base + "results?by=language"):
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        check_accessibility(page)
    # A participant's form, then the same form showing its errors.
    make_user("lucia")
    page.context.clear_cookies()
    sign_in(page, "lucia")
    page.goto(base)
    check_accessibility(page)
    page.locator("form.survey-form button.primary").click()
    page.wait_for_selector(".field-error")
    check_accessibility(page)


def test_a_parent_answers_with_ranking(page, app, demo_surveys, make_user):
    from codesign.extensions import db
    from codesign.surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse

    open_id, _closed_id, _question_id = demo_surveys
    make_user("lucia", locale="es")
    sign_in(page, "lucia")
    page.goto(f"/d/riverside/surveys/{open_id}/")
    questions = page.locator("form.survey-form .question")
    questions.nth(0).locator("input[type=radio]").nth(1).check()
    questions.nth(1).locator("input[type=checkbox]").nth(0).check()
    questions.nth(2).locator("input[type=radio]").nth(3).check()
    ranking = questions.nth(3)
    if page.javascript_enabled:
        # By keyboard: focus the last option's "move up" button and press Enter twice.
        last = ranking.locator(".ranking__item").nth(2)
        label = last.locator("label").inner_text()
        last.locator("button").first.focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        assert ranking.locator(".ranking__item").nth(0).locator("label").inner_text() == label
        assert label in ranking.locator("[data-ranking-status]").inner_text()
    else:
        selects = ranking.locator("select")
        for index in range(selects.count()):
            selects.nth(index).select_option(str(selects.count() - index))
    questions.nth(4).locator("textarea").fill("Gracias por preguntar.")
    page.locator("form.survey-form button.primary").click()
    page.wait_for_selector(".flash--success")
    with app.app_context():
        response = db.session.scalar(sa.select(SurveyResponse).where(SurveyResponse.user_id.is_not(None))
                                     .order_by(SurveyResponse.id.desc()))
        ranks = db.session.scalars(
            sa.select(SurveyAnswer.rank).join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(SurveyAnswer.response_id == response.id, SurveyAnswer.rank.is_not(None))).all()
    assert sorted(ranks) == [1, 2, 3] and response.language == "es"
