"""Whole journeys through the demo in a real browser, each with JavaScript on and off, on a
360 px phone and a 1280 px desktop (the `page` fixture), accessible at every step.

1. A parent, in Spanish, opens the district page, reads a proposal and its data card,
   registers, comments on the retention part, votes, and answers the linked survey.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.browser


def _answer_every_question(page) -> None:
    """Answer a survey form as a person would: the first choice, a ranking as offered, words."""
    questions = page.locator("form.survey-form .question")
    for index in range(questions.count()):
        question = questions.nth(index)
        if question.locator("[data-ranking]").count():
            selects = question.locator("select")
            if selects.count() and selects.first.is_visible():  # without JavaScript: a place each
                for place in range(selects.count()):
                    selects.nth(place).select_option(str(place + 1))
        elif question.locator("input[type=radio]").count():
            question.locator("input[type=radio]").first.check()
        elif question.locator("input[type=checkbox]").count():
            question.locator("input[type=checkbox]").first.check()
        elif question.locator("textarea").count():
            question.locator("textarea").fill("Quiero saber quién verá los datos.")
        elif question.locator("input[type=text], input:not([type])").count():
            question.locator("input[type=text], input:not([type])").first.fill("Gracias.")


def test_a_parent_in_spanish_reads_registers_comments_votes_and_answers(app, page, demo_data, check_accessibility):
    from codesign.accounts.models import User
    from codesign.comments.models import Comment
    from codesign.extensions import db
    from codesign.surveys.models import SurveyResponse
    from codesign.votes.models import Vote

    page.goto("/d/riverside/")
    page.locator(".language-switcher button[value='es']").click()
    page.wait_for_selector("html[lang='es']")
    check_accessibility(page)
    # Reads a proposal and its data card.
    page.locator("a[href='/d/riverside/proposals/1/']").first.click()
    page.wait_for_selector(".data-card")
    assert page.locator("#data-card-heading").inner_text() == "Ficha de datos"
    assert page.locator(".data-card dt").count() >= 6
    check_accessibility(page)
    # Registers (from the proposal: it comes back there).
    page.locator("a[href^='/register']").first.click()
    page.wait_for_selector("form.stacked")
    page.locator("input[name='age_13_or_older'][value='yes']").check()
    page.locator("#username").fill("mama_rosa")
    page.locator("#password").fill("una-clave-larga-2026")
    page.locator("#confirm").fill("una-clave-larga-2026")
    page.locator("input[name='stakeholder_group'][value='family']").check()
    page.locator("#preferred_locale").select_option("es")
    check_accessibility(page)
    page.locator("form.stacked button.primary").click()
    page.wait_for_selector(".flash--success")
    page.goto("/d/riverside/proposals/1/")
    assert page.locator("html").get_attribute("lang") == "es"
    # Comments on how long the data is kept.
    form = page.locator("form.comment-form")
    form.locator("input[name='kind'][value='concern']").check()
    form.locator("select[name='section']").select_option("retention")
    form.locator("textarea[name='body']").fill("¿Por qué guardar los datos de asistencia tres años? Un año basta.")
    form.locator("button.primary").click()
    page.wait_for_selector(".flash--success")
    check_accessibility(page)
    # Votes.
    page.goto("/d/riverside/proposals/1/")
    page.locator("#vote button[value='oppose']").click()
    page.wait_for_selector("#vote button[value='oppose'][aria-pressed='true']")
    # Answers the linked survey.
    page.locator("#surveys-heading ~ ul a").first.click()
    page.wait_for_selector("form.survey-form")
    check_accessibility(page)
    _answer_every_question(page)
    page.locator("form.survey-form button.primary").click()
    page.wait_for_selector(".flash--success")
    check_accessibility(page)

    with app.app_context():
        parent = db.session.scalar(sa.select(User).where(User.username == "mama_rosa"))
        assert parent.preferred_locale == "es"
        comment = db.session.scalar(sa.select(Comment).where(Comment.author_id == parent.id))
        assert comment.section == "retention" and comment.language == "es" and "Un año basta" in comment.body
        vote = db.session.scalar(sa.select(Vote).where(Vote.user_id == parent.id))
        assert vote.stance.value == "oppose"
        answered = db.session.scalar(sa.select(SurveyResponse).where(SurveyResponse.user_id == parent.id))
        assert answered is not None and answered.language == "es"
