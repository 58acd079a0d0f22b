"""flask --app codesign init / demo / translations."""
import sqlalchemy as sa

from codesign.accounts.models import User
from codesign.districts.models import District, Membership, Role
from codesign.extensions import db


def test_demo_loads_once_with_every_role(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo loaded" in result.output
    again = runner.invoke(args=["demo"])
    assert "already loaded" in again.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(District.id))) == 1
        roles = set(db.session.scalars(sa.select(Membership.role)))
        assert roles == set(Role)
        assert db.session.scalar(sa.select(User).where(User.is_admin)).username == "admin"
    # Search finds the demo at once: the index was built with it.
    page = app.test_client().get("/d/riverside/search?q=attendance").get_data(as_text=True)
    assert 'class="search-result"' in page and "being rebuilt" not in page


def test_demo_sign_ins_in_the_readme_work(app, runner, browser):
    from pathlib import Path

    from codesign.demo import DEMO_PASSWORD, DEMO_PEOPLE

    runner.invoke(args=["demo"])
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert DEMO_PASSWORD in readme
    for username, *_ in DEMO_PEOPLE:
        assert f"`{username}`" in readme
    browser.sign_in("staff", DEMO_PASSWORD)
    assert browser.get("/account").status_code == 200


def test_init_upgrades_and_compiles(app, runner):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_create_admin(app, runner):
    result = runner.invoke(args=["create-admin", "root", "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User.is_admin).where(User.username == "root"))


def test_demo_has_proposals_in_every_state(app, runner, client):
    from codesign.proposals.models import Proposal, ProposalStatus, ProposalVersion

    runner.invoke(args=["demo"])
    with app.app_context():
        statuses = sorted(db.session.scalars(sa.select(Proposal.status)))
        assert statuses.count(ProposalStatus.OPEN) == 2 and ProposalStatus.DRAFT in statuses
        assert ProposalStatus.DECIDED in statuses
        assert db.session.scalar(sa.select(sa.func.max(ProposalVersion.number))) == 2
    page = client.get("/d/riverside/").get_data(as_text=True)
    assert "Attendance early-warning dashboard" in page
    assert "after-school tutoring" not in page  # drafts are for staff only
    with app.app_context():
        attendance = db.session.scalar(sa.select(Proposal).order_by(Proposal.id))
        proposal_page = client.get(f"/d/riverside/proposals/{attendance.id}/").get_data(as_text=True)
    tally = proposal_page[proposal_page.index("Votes so far"):]
    assert tally.count('class="tally__count">') >= 3 and "Support" in tally
    from codesign.comments.models import Comment

    with app.app_context():
        languages = set(db.session.scalars(sa.select(Comment.language)))
        assert languages == {"en", "es", "vi", "zh", "ar", "so"}  # Somali from a community session
        assert db.session.scalar(sa.select(sa.func.count(Comment.id))) >= 200
        assert db.session.scalar(sa.select(sa.func.count(Comment.id)).where(Comment.official_answer != ""))
        assert db.session.scalar(sa.select(sa.func.count(Comment.id)).where(Comment.parent_id.is_not(None)))
    assert 'lang="vi"' in proposal_page or 'lang="zh"' in proposal_page
    from codesign.responselog.models import Outcome, ResponseEntry
    from codesign.responselog.service import verify_district

    with app.app_context():
        entries = db.session.scalars(sa.select(ResponseEntry).order_by(ResponseEntry.sequence)).all()
        assert len(entries) == 4 and entries[-1].amends_id == entries[0].id
        assert Outcome.NOT_CHANGED in {e.outcome for e in entries}
        assert verify_district(entries[0].district_id).ok
        linked_languages = set(db.session.scalars(
            sa.select(Comment.language).where(Comment.addressed_in_id == entries[0].id)))
        assert len(linked_languages) >= 3
        from codesign.responselog.models import Contest

        assert db.session.scalar(sa.select(sa.func.count(Contest.id))) == 1


def test_demo_has_an_open_survey_and_one_with_published_results(app, runner, client):
    from codesign.comments.models import Channel
    from codesign.surveys.models import Survey, SurveyResponse, SurveyText

    runner.invoke(args=["demo"])
    with app.app_context():
        open_survey, closed = db.session.scalars(sa.select(Survey).order_by(Survey.id)).all()
        assert open_survey.is_open() and open_survey.proposal_id is not None and not closed.is_open()
        assert closed.results_public and closed.has_closed()
        channels = db.session.execute(
            sa.select(SurveyResponse.channel, sa.func.count()).where(SurveyResponse.survey_id == open_survey.id)
            .group_by(SurveyResponse.channel)).all()
        assert sum(n for _c, n in channels) >= 140 and dict(channels)[Channel.PAPER] > 0
        assert set(db.session.scalars(sa.select(SurveyText.locale))) == {"es", "ar"}
        survey_ids = (open_survey.id, closed.id)
    results = client.get(f"/d/riverside/surveys/{survey_ids[1]}/results").get_data(as_text=True)
    assert "How would you like the district to reach you?" in results
    page = client.get(f"/d/riverside/surveys/{survey_ids[0]}/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "لوحة متابعة الحضور" in page
    with app.app_context():
        proposal_id = db.session.get(Survey, survey_ids[0]).proposal_id
    proposal_page = client.get(f"/d/riverside/proposals/{proposal_id}/", headers={"Accept-Language": "es"})
    assert "Panel de asistencia: ¿qué aceptaría usted?" in proposal_page.get_data(as_text=True)


def test_demo_has_organizations_and_sessions_with_recorded_input(app, runner, client):
    from codesign.comments.models import Comment
    from codesign.community.models import (
        Organization,
        Session,
        SessionAttendance,
        SessionTally,
    )
    from codesign.db import utcnow
    from codesign.surveys.models import SurveyResponse

    runner.invoke(args=["demo"])
    with app.app_context():
        organizations = db.session.scalars(sa.select(Organization).order_by(Organization.id)).all()
        assert [o.language_codes for o in organizations] == [["es", "vi"], ["ar", "so"]]
        sessions = db.session.scalars(sa.select(Session).order_by(Session.id)).all()
        past = [s for s in sessions if s.ends_at <= utcnow()]
        assert len(sessions) == 4 and len(past) == 2
        for item in past:
            assert db.session.scalar(sa.select(sa.func.count()).where(Comment.session_id == item.id)) >= 4
            assert db.session.scalar(sa.select(sa.func.count()).where(SessionAttendance.session_id == item.id))
            assert db.session.scalar(sa.select(sa.func.count()).where(SessionTally.session_id == item.id))
            assert db.session.scalar(sa.select(sa.func.count()).where(SurveyResponse.session_id == item.id))
        proposal_id = db.session.scalar(sa.select(Comment.proposal_id).where(Comment.session_id == past[0].id))
    page = client.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert "Show of hands at community sessions" in page and "Said at" in page
    assert "Familias Unidas de Riverside" in client.get("/d/riverside/sessions/").get_data(as_text=True)


def test_recount_checks_and_mends_the_counters(app, runner):
    import sqlalchemy as sa

    from codesign.extensions import db

    runner.invoke(args=["demo"])
    assert runner.invoke(args=["recount", "--check"]).exit_code == 0
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE comment_count SET comments = comments + 1"))
        connection.execute(sa.text("DELETE FROM participant_count"))
    checked = runner.invoke(args=["recount", "--check"])
    assert checked.exit_code == 1 and "comment_count:" in checked.output and "participant_count:" in checked.output
    assert runner.invoke(args=["recount"]).exit_code == 0
    assert runner.invoke(args=["recount", "--check"]).exit_code == 0


def test_demo_participants_follow_proposals_and_have_notifications(app, runner):
    from codesign.demo import DEMO_PASSWORD
    from tests.conftest import Browser

    runner.invoke(args=["demo"])
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia", DEMO_PASSWORD)
    page = lucia.get("/account/notifications").get_data(as_text=True)
    assert page.count("<li") >= 2 and page.count("notification--unread") == 1
    assert 'class="badge"' in page
    with app.app_context():
        from codesign.notifications.models import Follow

        proposal_id = db.session.scalar(sa.select(Follow.proposal_id).join(User, User.id == Follow.user_id)
                                        .where(User.username == "lucia").order_by(Follow.id))
    assert 'name="follow" value="0"' in lucia.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
