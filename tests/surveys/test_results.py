"""Results: aggregates per question, broken down, suppressed; text only after review; paper
answers counted as their own channel; CSV exports without identifiers."""
import csv
import io

import sqlalchemy as sa

from codesign.extensions import db
from codesign.surveys.models import QuestionKind, SurveyAnswer, TextReview
from tests.conftest import Browser
from tests.surveys.conftest import signed_in, survey_url
from tests.surveys.test_answering import full_answers


def answer_as(app, make_user, name, ids, options, group="family", **changes):
    from codesign.accounts.models import StakeholderGroup

    browser = signed_in(app, make_user, name, group=StakeholderGroup(group))
    assert browser.post(survey_url(survey_world_id(app)), full_answers(ids, options, **changes)).status_code == 303


def survey_world_id(app):
    from codesign.surveys.models import Survey

    with app.app_context():
        return db.session.scalar(sa.select(Survey.id))


def role(app, name):
    browser = Browser(app.test_client())
    browser.sign_in(name)
    return browser


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_results_are_private_until_published_then_suppressed(app, client, make_user, survey_world):
    survey_id, ids, options = survey_world  # threshold 3
    single = ids[QuestionKind.SINGLE]
    for n in range(4):
        answer_as(app, make_user, f"family{n}", ids, options)
    answer_as(app, make_user, "student0", ids, options, group="student",
              **{f"q{single}": str(options[single][1])})
    for n in range(3):
        answer_as(app, make_user, f"educator{n}", ids, options, group="educator",
                  **{f"q{single}": str(options[single][2])})
    results = survey_url(survey_id, "results")
    assert client.get(results).status_code in (302, 303)  # guests are sent to sign in
    assert role(app, "board").get(results).status_code == 200
    staff = role(app, "staff")
    staff.post(survey_url(survey_id, "results-visibility"), {"public": "1"}, token_from=survey_url(survey_id, "edit"))
    page = client.get(results).get_data(as_text=True)
    assert "How long should attendance data be kept?" in page
    # One year: 4 families (shown); three years: 1 student (fewer than 3), so the 3 educators
    # for "until graduation" are hidden too, or 8 - 4 - 3 would give the student away.
    assert ">4 <span class=\"muted\">(50%)</span>" in page
    assert page.count("fewer than 3") >= 1 and "not shown" in page
    assert "fewer than 3" in page
    by_group = client.get(results + "?by=group").get_data(as_text=True)
    assert "fewer than 3" in by_group and "not shown" in by_group
    rows = csv_rows(client.get(survey_url(survey_id, "results.csv") + "?by=group"))
    assert rows[0] == ["question", "question_text", "option", "group", "people", "suppressed"]
    for row in rows[1:]:
        assert row[4] == "" or int(row[4]) == 0 or int(row[4]) >= 3
        assert (row[4] == "") == (row[5] != "")


def test_averages_only_where_nothing_behind_them_is_hidden(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    scale = ids[QuestionKind.SCALE]
    for n in range(3):
        answer_as(app, make_user, f"agree{n}", ids, options, **{f"q{scale}": "4"})
    board = role(app, "board")
    page = board.get(survey_url(survey_id, "results")).get_data(as_text=True)
    assert "<td>4.0</td>" in page  # three people, every count shown
    answer_as(app, make_user, "lonely", ids, options, **{f"q{scale}": "1"})
    page = board.get(survey_url(survey_id, "results")).get_data(as_text=True)
    assert "<td>4.0</td>" not in page and "<td>3.2</td>" not in page  # one "strongly disagree" is hidden


def test_text_answers_appear_only_after_review(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    long_text = ids[QuestionKind.LONG_TEXT]
    answer_as(app, make_user, "lucia", ids, options, **{f"q{long_text}": "My son Diego Ruiz at Lincoln worries."})
    answer_as(app, make_user, "amal", ids, options, **{f"q{long_text}": "Keep it short."})
    staff = role(app, "staff")
    staff.post(survey_url(survey_id, "results-visibility"), {"public": "1"}, token_from=survey_url(survey_id, "edit"))
    results = survey_url(survey_id, "results")
    assert "Diego" not in staff.get(results).get_data(as_text=True)
    assert "Keep it short." not in staff.get(results).get_data(as_text=True)
    review = staff.get(survey_url(survey_id, "review")).get_data(as_text=True)
    assert "Diego Ruiz" in review and "Keep it short." in review
    with app.app_context():
        answers = dict(db.session.execute(sa.select(SurveyAnswer.text, SurveyAnswer.id)
                                          .where(SurveyAnswer.question_id == long_text)).all())
    diego, short = answers["My son Diego Ruiz at Lincoln worries."], answers["Keep it short."]
    page = staff.post(survey_url(survey_id, f"review/{diego}"), {"review": "redacted", "redacted_text": ""},
                      token_from=survey_url(survey_id, "review"), follow_redirects=True).get_data(as_text=True)
    assert "Write the text to publish" in page
    # No decision chosen: refused on the page itself, the text typed kept and the error tied to the choice.
    refused = staff.post(survey_url(survey_id, f"review/{diego}"), {"redacted_text": "My son (name removed) worries."},
                         token_from=survey_url(survey_id, "review"))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and ">My son (name removed) worries.</textarea>" in body
    assert f'aria-describedby="review-{diego}-error"' in body and 'autofocus' in body
    staff.post(survey_url(survey_id, f"review/{diego}"), {"review": "redacted", "redacted_text": "My son worries."},
               token_from=survey_url(survey_id, "review"))
    staff.post(survey_url(survey_id, f"review/{short}"), {"review": "hidden"}, token_from=survey_url(survey_id, "review"))
    page = Browser(app.test_client()).get(results).get_data(as_text=True)
    assert "My son worries." in page and "Diego" not in page and "Keep it short." not in page
    lucia = signed_in(app, make_user, "jordan")
    assert lucia.get(survey_url(survey_id, "review")).status_code == 403
    with app.app_context():
        assert db.session.get(SurveyAnswer, short).review == TextReview.HIDDEN


def test_paper_answers_count_as_their_own_channel(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    facilitator = role(app, "facilitator")
    url = survey_url(survey_id, "paper")
    page = facilitator.get(url).get_data(as_text=True)
    assert "Type in paper answers" in page
    bad = facilitator.post(url, dict(full_answers(ids, options, **{f"q{ids[QuestionKind.SINGLE]}": ""}),
                                     stakeholder_group="family", language="es"))
    assert bad.status_code == 422 and "Please ask families first." in bad.get_data(as_text=True)
    for _ in range(3):
        assert facilitator.post(url, dict(full_answers(ids, options), stakeholder_group="family",
                                          language="es")).status_code == 303
    board = role(app, "board")
    page = board.get(survey_url(survey_id, "results") + "?by=channel").get_data(as_text=True)
    assert "Paper form" in page
    rows = csv_rows(role(app, "staff").get(survey_url(survey_id, "responses.csv")))
    assert rows[0][:5] == ["response", "channel", "language", "stakeholder_group", "date"]
    assert [row[1] for row in rows[1:]] == ["paper"] * 3 and {row[2] for row in rows[1:]} == {"es"}
    assert "Counselors; Principals" in rows[1] and "Privacy > Early help > Cost" in rows[1]
    lucia = signed_in(app, make_user, "lucia")
    assert lucia.get(url).status_code == 403
    assert lucia.get(survey_url(survey_id, "responses.csv")).status_code == 403
    assert board.get(survey_url(survey_id, "responses.csv")).status_code == 403


def test_the_anonymous_export_has_no_identifiers(app, make_user, survey_world):
    survey_id, ids, options = survey_world
    answer_as(app, make_user, "lucia", ids, options)
    text = role(app, "staff").get(survey_url(survey_id, "responses.csv")).get_data(as_text=True)
    assert "lucia" not in text and "@" not in text
    row = csv_rows_from(text)[1]
    assert row[0] == "1"  # numbered, not the database id or the account


def csv_rows_from(text):
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_results_cost_the_same_queries_at_any_size(app, make_user, survey_world, count_queries):
    survey_id, ids, options = survey_world
    board = role(app, "board")
    answer_as(app, make_user, "first", ids, options)
    url = survey_url(survey_id, "results") + "?by=group"
    board.get(url)
    with count_queries() as small:
        assert board.get(url).status_code == 200
    for n in range(8):
        answer_as(app, make_user, f"more{n}", ids, options)
    with count_queries() as large:
        assert board.get(url).status_code == 200
    assert small["n"] == large["n"]
