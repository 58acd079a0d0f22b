"""A real response log for the demo dashboard proposal: changes, a refusal, a correction."""
from __future__ import annotations

from codesign.comments.models import Comment
from codesign.extensions import db
from codesign.proposals.service import published_versions
from codesign.responselog import service
from codesign.responselog.models import Outcome

ENTRIES = [
    ("retention", Outcome.CHANGED,
     "Many families, in every language, asked why attendance data would be kept for three years "
     "after a student leaves.",
     "We agree that three years was longer than the purpose needs. Version 2 keeps the data for "
     "one school year after a student leaves, then deletes it.", True),
    ("access", Outcome.PARTLY_CHANGED,
     "Families did not want district office staff to see their children's names.",
     "District office staff now see only totals per school. Counselors and principals still see "
     "names, because they are the people who call families.", True),
    ("data_collected", Outcome.NOT_CHANGED,
     "Some families asked us not to record the reason for each absence.",
     "We kept the reason, because it is how counselors tell a student who is sick from a student "
     "who has no way to get to school. Reasons are visible only to the counselor and principal.",
     False),
]
CORRECTION = (
    "Entry 1 said the data is deleted one year after a student leaves. To be exact: it is deleted "
    "at the end of the first full school year after the student leaves."
)


def load_demo_log(proposal, staff) -> None:
    """Entries on the revised dashboard proposal, each answering comments in several languages."""
    versions = published_versions(proposal)
    first, second = versions[0], versions[1]
    published = []
    for section, outcome, heard, reasons, with_change in ENTRIES:
        entry = service.create_entry(
            proposal, staff, heard=heard, outcome=outcome, reasons=reasons,
            from_version_id=first.id if with_change else None,
            to_version_id=second.id if with_change else None, amends_id=None,
        )
        comment_ids = db.session.scalars(
            db.select(Comment.id).where(Comment.proposal_id == proposal.id, Comment.section == section,
                                        Comment.parent_id.is_(None)).order_by(Comment.id).limit(12)
        ).all()
        service.link_comments(entry, list(comment_ids))
        published.append(service.publish_entry(entry))
    correction = service.create_entry(
        proposal, staff, heard=ENTRIES[0][2], outcome=Outcome.CHANGED, reasons=CORRECTION,
        from_version_id=None, to_version_id=None, amends_id=published[0].id,
    )
    service.publish_entry(correction)
    from codesign.accounts.models import User

    objector = db.session.scalar(db.select(User).where(User.username == "demo-voter-007"))
    if objector is not None:
        service.contest_entry(published[2], objector,
                              "Recording why my child was absent is still too much. A counselor can ask us.")
