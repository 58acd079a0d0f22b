"""Entries can answer survey questions as well as comments; the links are part of the chain."""
from datetime import timedelta

import sqlalchemy as sa

from codesign.db import utcnow
from codesign.extensions import db
from codesign.proposals.models import Proposal
from codesign.responselog import service
from codesign.responselog.models import EntryQuestion
from tests.responselog.test_chain import proposal_with_comments  # noqa: F401 (fixture)
from tests.responselog.test_views import ENTRY, staff_browser


def _surveys(app, proposal_id):
    """A published survey about the proposal, and one about nothing; returns a question of each."""
    from codesign.accounts.service import find_user_by_login
    from codesign.surveys import service as surveys
    from codesign.surveys.models import QuestionKind

    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        staff = find_user_by_login("staff")
        ids = []
        for about in (proposal.id, None):
            survey = surveys.create_survey(proposal.district, staff, title=f"Survey {about}", intro="",
                                           proposal_id=about, opens_at=utcnow() - timedelta(days=1),
                                           closes_at=utcnow() + timedelta(days=1))
            ids.append(surveys.add_question(survey, kind=QuestionKind.SHORT_TEXT, prompt=f"Keep data? {about}",
                                            required=False, allow_other=False, max_choices=None, options=[]).id)
            surveys.publish_survey(survey)
        return ids


def test_link_survey_questions_and_verify(app, client, proposal_with_comments):  # noqa: F811
    proposal_id, comment_ids = proposal_with_comments
    ours, other = _surveys(app, proposal_id)
    staff = staff_browser(app)
    base = f"/d/riverside/proposals/{proposal_id}/log/"
    edit_url = staff.post(base + "new", ENTRY).headers["Location"]
    page = staff.get(edit_url).get_data(as_text=True)
    assert f"Keep data? {proposal_id}" in page and "Keep data? None" not in page
    response = staff.post(edit_url, dict(ENTRY, questions=[str(other)]))
    assert response.status_code == 422 and "Only questions of published surveys about this proposal" in \
        response.get_data(as_text=True)
    assert staff.post(edit_url, dict(ENTRY, questions=[str(ours)], comments=[str(comment_ids[0])])).status_code == 303
    entry_id = int(edit_url.rstrip("/").split("/")[-2])
    staff.post(base + f"{entry_id}/publish", {}, token_from=base)
    entry_page = client.get("/d/riverside/log/1").get_data(as_text=True)
    assert f"Keep data? {proposal_id}" in entry_page and "It answers these survey questions" in entry_page
    api = client.get("/api/v1/districts/riverside/log").get_json()
    assert api["data"][0]["question_ids"] == [ours]
    with app.app_context():
        district_id = db.session.get(Proposal, proposal_id).district_id
        assert service.verify_district(district_id).ok
        # Removing the link behind the app's back breaks the entry's fingerprint.
        db.session.execute(sa.delete(EntryQuestion))
        db.session.commit()
        result = service.verify_district(district_id)
        assert not result.ok and result.first_bad_sequence == 1


def test_entries_without_questions_keep_their_fingerprint():
    record = {"district_id": 1, "sequence": 1, "proposal_id": 1, "heard": "h", "outcome": "changed",
              "reasons": "r", "from_version_id": None, "to_version_id": None, "changed_fields": "",
              "amends_sequence": None, "comment_ids": [3], "published_at": "2026-01-01T00:00:00+00:00",
              "previous_hash": service.GENESIS}
    assert service.digest(record) == service.digest(dict(record, question_ids=[]))
    assert service.digest(record) != service.digest(dict(record, question_ids=[7]))
