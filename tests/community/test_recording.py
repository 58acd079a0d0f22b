"""Bringing the room's input in: attendance, show of hands, comments (rows or CSV), paper
surveys; all or nothing; confirmation; provenance everywhere the input shows."""
import io

import sqlalchemy as sa

from codesign.extensions import db
from tests.community.conftest import browser_for, comments_of, hold, schedule


def record_url(session_id, suffix=""):
    return f"/d/riverside/sessions/{session_id}/record{suffix}"


def test_nothing_is_recorded_before_the_session(app, world):
    session_id, fac = schedule(app, world)
    page = fac.post(record_url(session_id, "/attendance"), {"a-family": "5"}, token_from=record_url(session_id))
    assert page.status_code == 422 and "once the session has started" in page.get_data(as_text=True)


def test_attendance_and_tallies_with_their_limits(app, client, world):
    from codesign.community.models import SessionAttendance, SessionTally
    from codesign.proposals.models import Proposal

    session_id, fac = schedule(app, world)
    hold(app, session_id)
    url = record_url(session_id)
    for bad in ("-3", "lots", "2.5"):
        response = fac.post(url + "/attendance", {"a-family": bad, "a-student": "4"}, token_from=url)
        assert response.status_code == 422 and "whole numbers of 0 or more" in response.get_data(as_text=True)
        assert f'value="{bad}"' in response.get_data(as_text=True)  # what was typed stays
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SessionAttendance.id))) == 0
    assert fac.post(url + "/attendance", {"a-family": "7", "a-student": "4"}, token_from=url).status_code == 303
    with app.app_context():
        version_id = db.session.get(Proposal, world["proposal"]).current_version_id
    too_many = fac.post(url + f"/tally/{version_id}", {"t-family-support": "5", "t-family-oppose": "3"}, token_from=url)
    assert too_many.status_code == 422 and "more people of a group than attended" in too_many.get_data(as_text=True)
    # The refused tally keeps what was typed in it; the attendance form above still shows what is saved.
    assert 'id="a-family" name="a-family" value="7"' in too_many.get_data(as_text=True)
    assert 'aria-describedby="tally-error-' in too_many.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SessionTally.id))) == 0
    assert fac.post(url + f"/tally/{version_id}", {"t-family-support": "4", "t-family-oppose": "3",
                                                   "t-student-support": "3"}, token_from=url).status_code == 303
    # Lowering attendance below the hands already counted is refused.
    response = fac.post(url + "/attendance", {"a-family": "2", "a-student": "4"}, token_from=url)
    assert response.status_code == 422
    page = client.get(f"/d/riverside/proposals/{world['proposal']}/").get_data(as_text=True)
    tally = page[page.index("Show of hands at community sessions"):]
    assert "never added to them" in tally and ">7</span>" in tally and ">3</span>" in tally  # support 4 + 3; oppose 3
    other = browser_for(app, "fac_b")
    assert other.post(url + "/attendance", {"a-family": "1"}, token_from="/privacy").status_code == 403


def _row(index, proposal, **values):
    base = {"proposal": str(proposal), "kind": "concern", "section": "retention", "stakeholder_group": "family", "language": "es",
            "comment": "Tres años es demasiado tiempo."}
    base.update(values)
    return {f"r{index}-{key}": value for key, value in base.items()}


def test_bulk_comments_all_or_nothing_with_errors_per_row(app, client, world):
    session_id, fac = schedule(app, world)
    hold(app, session_id)
    url = record_url(session_id, "/comments")
    pid = world["proposal"]
    data = {"rows": "3", **_row(0, pid), **_row(1, pid, kind="rant", comment="ok"),
            **_row(2, pid, comment="¿Quién ve las notas?")}
    response = fac.post(url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="r1-kind-error"' in page and 'id="r1-comment-error"' in page and 'id="r0-kind-error"' not in page
    assert "¿Quién ve las notas?" in page  # everything typed stays
    assert comments_of(app, session_id) == []
    # "More rows" without JavaScript keeps what was typed and adds empty rows.
    more = fac.post(url, {"rows": "1", "more": "1", **_row(0, pid)}).get_data(as_text=True)
    assert "Tres años es demasiado tiempo." in more and 'name="r5-comment"' in more
    # The middle row left without a comment is skipped, as a blank row on screen would be.
    response = fac.post(url, {"rows": "3", **_row(0, pid), **_row(1, pid, comment=""),
                              **_row(2, pid, comment="¿Quién ve las notas?", kind="question")})
    assert response.status_code == 303
    saved = comments_of(app, session_id)
    assert [c.body for c in saved] == ["Tres años es demasiado tiempo.", "¿Quién ve las notas?"]
    assert all(c.channel.value == "session" and c.author_id is None for c in saved)
    page = client.get(f"/d/riverside/proposals/{world['proposal']}/").get_data(as_text=True)
    assert "Said at" in page and "Charla en la biblioteca" in page and "Familias Unidas" in page
    # So does the comment's own page.
    own = client.get(f"/d/riverside/proposals/{world['proposal']}/comments/{saved[0].id}/").get_data(as_text=True)
    assert "Said at" in own and "Charla en la biblioteca" in own
    # The htmx row fragment.
    fragment = fac.get(url + "/row?index=7").get_data(as_text=True)
    assert 'name="r7-comment"' in fragment and "<html" not in fragment


CSV_HEADER = "proposal,kind,section,stakeholder_group,language,comment\r\n"


def _upload(fac, session_id, content: bytes, name="sheet.csv"):
    url = record_url(session_id, "/comments.csv")
    return fac.post(url, {"file": (io.BytesIO(content), name)}, token_from=record_url(session_id, "/comments"),
                    content_type="multipart/form-data")


def test_csv_upload_checks_every_row_first(app, world):
    session_id, fac = schedule(app, world)
    hold(app, session_id)
    pid = world["proposal"]
    good = f"{pid},concern,retention,family,es,Tres años es mucho\r\n{pid},question,access,student,vi,Ai xem dữ liệu?\r\n"
    bad = good + f"{pid},concern,grades,parent,xx,hi\r\n"
    response = _upload(fac, session_id, (CSV_HEADER + bad).encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was saved" in page
    assert "<th scope=\"row\">4</th>" in page  # the bad row, counted as a spreadsheet counts
    assert comments_of(app, session_id) == []
    wrong_columns = _upload(fac, session_id, ("proposal,kind,comment\r\n" + good).encode())
    assert wrong_columns.status_code == 422 and "The columns must be exactly" in wrong_columns.get_data(as_text=True)
    latin1 = _upload(fac, session_id, (CSV_HEADER + good).encode("utf-16"))
    assert latin1.status_code == 422 and "UTF-8" in latin1.get_data(as_text=True)
    huge = CSV_HEADER + f"{pid},concern,retention,family,es,Tres años es mucho\r\n" * 2_001
    assert "at most 2,000" in _upload(fac, session_id, huge.encode()).get_data(as_text=True)
    assert comments_of(app, session_id) == []
    formula = f'{pid},concern,general,family,en,"=HYPERLINK(""http://evil.example"",""x"")"\r\n'
    assert _upload(fac, session_id, ("\ufeff" + CSV_HEADER + good + formula).encode()).status_code == 303
    saved = comments_of(app, session_id)
    assert len(saved) == 3 and saved[1].language == "vi"
    # Every CSV we write neutralizes formulas.
    export = fac.get(f"/d/riverside/proposals/{pid}/record/comments.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in export and "\n=HYPERLINK" not in export and ",=HYPERLINK" not in export


def test_confirmed_records_change_only_by_staff_with_history(app, world):
    from codesign.community.models import SessionChange

    session_id, fac = schedule(app, world)
    hold(app, session_id)
    url = record_url(session_id)
    fac.post(url + "/attendance", {"a-family": "6"}, token_from=url)
    assert "true account" in fac.post(url + "/confirm", {}, token_from=url, follow_redirects=True).get_data(as_text=True)
    response = fac.post(url + "/attendance", {"a-family": "8"}, token_from=url)
    assert response.status_code == 422 and "only staff can change it" in response.get_data(as_text=True)
    staff = browser_for(app, "staff")
    assert staff.post(url + "/attendance", {"a-family": "8"}, token_from=url).status_code == 303
    with app.app_context():
        change = db.session.scalar(sa.select(SessionChange))
        assert change.what == "attendance" and "family=8" in change.detail
    assert "Changes after confirmation" in staff.get(url).get_data(as_text=True)


def test_paper_surveys_belong_to_the_session(app, world):
    from datetime import timedelta

    from codesign.accounts.service import find_user_by_login
    from codesign.db import utcnow
    from codesign.districts.service import get_district
    from codesign.surveys import service as surveys
    from codesign.surveys.models import QuestionKind, SurveyResponse

    session_id, fac = schedule(app, world)
    hold(app, session_id)
    with app.app_context():
        survey = surveys.create_survey(get_district("riverside"), find_user_by_login("staff"), title="Quick poll",
                                       intro="", proposal_id=world["proposal"], opens_at=utcnow() - timedelta(days=5),
                                       closes_at=utcnow() + timedelta(days=5))
        question = surveys.add_question(survey, kind=QuestionKind.SCALE, prompt="Good idea?", required=True,
                                        allow_other=False, max_choices=None, options=[])
        surveys.publish_survey(survey)
        survey_id, question_id = survey.id, question.id
    url = record_url(session_id, f"/surveys/{survey_id}")
    assert "Quick poll" in fac.get(url).get_data(as_text=True)
    assert fac.post(url, {"stakeholder_group": "family", "language": "es", f"q{question_id}": "5"}).status_code == 303
    with app.app_context():
        response = db.session.scalar(sa.select(SurveyResponse))
        assert response.session_id == session_id and response.channel.value == "paper"
    assert "1 paper form is in the record." in fac.get(record_url(session_id)).get_data(as_text=True)
