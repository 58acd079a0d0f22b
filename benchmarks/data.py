"""More of everything in a district, for measuring what a page costs as data grows.

`grow(district, scale)` adds, for each unit of scale: 20 participants, 4 published proposals,
and on every published proposal 60 comments (a few held, hidden or reported), 10 replies,
me-toos, a vote from every new participant and answers to its surveys; plus response-log
entries answering comments, organizations and sessions. Volume goes in with bulk INSERTs;
anything with rules of its own (proposals, log entries, sessions) goes through its service.
Run it inside a request context (the services check roles).
"""
from __future__ import annotations

import random
from datetime import timedelta

from codesign.accounts.models import StakeholderGroup, User
from codesign.comments.models import (
    Comment,
    Flag,
    FlagReason,
    HideCategory,
    Kind,
    MeToo,
    Moderation,
)
from codesign.db import utcnow
from codesign.districts.models import Membership, Role
from codesign.extensions import db
from codesign.proposals.models import Proposal, ProposalStatus, ProposalVersion

LANGUAGES = ["en", "es", "vi", "zh", "ar"]
TEXTS = {
    "en": "Keep the data for less time and tell families who can see it",
    "es": "Guarden los datos menos tiempo y digan a las familias quién los ve",
    "vi": "Hãy lưu dữ liệu ít thời gian hơn và cho gia đình biết ai được xem",
    "zh": "数据保存时间要短一些，并告诉家长谁能看到",
    "ar": "احفظوا البيانات مدة أقل وأخبروا العائلات من يستطيع رؤيتها",
}
CARD = {
    "summary": "A dashboard that shows each school's daily attendance to principals.",
    "body": "## Why\n\nChronic absence is rising, and families hear about it too late.",
    "data_collected": "Daily attendance marks and reasons for absence.",
    "purpose": "To reach families sooner when a student misses school.",
    "access": "Principals and attendance clerks at the student's school.",
    "retention": "Three years, then deleted.",
    "sharing": "Nobody outside the district.",
    "opt_out": "Families cannot opt out of attendance records, which state law requires.",
}
SECTIONS = ["general", "purpose", "data_collected", "access", "retention", "sharing", "opt_out"]


def _chunks(rows: list[dict], size: int = 2000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _insert(model, rows: list[dict]) -> None:
    for chunk in _chunks(rows):
        db.session.execute(db.insert(model), chunk)


def grow(district, scale: int = 1, *, seed: int = 7, comments_per_proposal: int = 60,
         people_per_unit: int = 20) -> dict:
    """Add scale units of data to district; returns how many of each were added."""
    from codesign.accounts.service import find_user_by_login

    rng = random.Random(seed + scale)
    now = utcnow()
    staff = find_user_by_login("staff") or db.session.scalar(
        db.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.district_id == district.id, Membership.role == Role.STAFF).limit(1))
    added = {"people": 0, "proposals": 0, "comments": 0, "votes": 0, "entries": 0, "sessions": 0,
             "survey_responses": 0}

    # People: one shared password hash (hashing thousands would dominate the run).
    password_hash = staff.password_hash
    first = (db.session.scalar(db.select(db.func.max(User.id))) or 0) + 1
    groups = list(StakeholderGroup)
    people = [{"username": f"grown{first + i}", "password_hash": password_hash,
               "stakeholder_group": groups[i % len(groups)], "preferred_locale": LANGUAGES[i % 5],
               "display_name": "", "is_admin": False, "session_token": f"grown-{first + i}",
               "created_at": now} for i in range(people_per_unit * scale)]
    _insert(User, people)
    ids = list(db.session.scalars(db.select(User.id).where(User.username.in_([p["username"] for p in people]))))
    _insert(Membership, [{"user_id": uid, "district_id": district.id, "role": Role.PARTICIPANT,
                          "created_at": now} for uid in ids])
    added["people"] = len(ids)

    # Proposals, through the service: versions, statuses and dates have rules.
    from codesign.proposals import service as proposals

    for n in range(4 * scale):
        proposal = proposals.create_proposal(district, staff, dict(CARD, title=f"Grown proposal {n} ({scale})"))
        proposals.publish_version(proposal, opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=20))
        added["proposals"] += 1

    published = list(db.session.execute(
        db.select(Proposal.id, Proposal.current_version_id).where(
            Proposal.district_id == district.id, Proposal.current_version_id.is_not(None),
            Proposal.status != ProposalStatus.DRAFT)))
    author_groups = {uid: groups[(uid - first) % len(groups)] for uid in ids}
    for proposal_id, version_id in published:
        rows = []
        for i in range(comments_per_proposal * scale):
            language = LANGUAGES[i % 5]
            author = rng.choice(ids)
            state = Moderation.HELD if i % 29 == 0 else Moderation.HIDDEN if i % 31 == 0 else Moderation.VISIBLE
            text = f"{TEXTS[language]} ({proposal_id}-{scale}-{i})"
            rows.append({"proposal_id": proposal_id, "version_id": version_id, "author_id": author,
                         "kind": list(Kind)[i % 4], "section": SECTIONS[i % len(SECTIONS)],
                         "stakeholder_group": author_groups[author], "language": language,
                         "body": text if state == Moderation.VISIBLE else "",
                         "moderated_body": "" if state == Moderation.VISIBLE else text, "moderation": state,
                         "held_for": "phone" if state == Moderation.HELD else "",
                         "hidden_category": HideCategory.SPAM if state == Moderation.HIDDEN else None,
                         "metoo_count": 0, "created_at": now - timedelta(minutes=i)})
        _insert(Comment, rows)
        new = list(db.session.scalars(db.select(Comment.id).where(
            Comment.proposal_id == proposal_id, Comment.body.like(f"%({proposal_id}-{scale}-%)"))))
        added["comments"] += len(new)
        replies = [{"proposal_id": proposal_id, "version_id": version_id, "author_id": rng.choice(ids),
                    "parent_id": parent, "kind": Kind.QUESTION, "section": "general",
                    "stakeholder_group": StakeholderGroup.FAMILY, "language": "en",
                    "body": f"Same here ({proposal_id}-{scale}-r{n})", "moderated_body": "",
                    "moderation": Moderation.VISIBLE, "held_for": "", "metoo_count": 0, "created_at": now}
                   for n, parent in enumerate(rng.sample(new, min(len(new), 10 * scale)))]
        _insert(Comment, replies)
        metoos, counts = [], {}
        for comment_id in rng.sample(new, min(len(new), 20 * scale)):
            for user_id in rng.sample(ids, min(len(ids), rng.randint(1, 8))):
                metoos.append({"comment_id": comment_id, "user_id": user_id, "created_at": now})
                counts[comment_id] = counts.get(comment_id, 0) + 1
        _insert(MeToo, metoos)
        for comment_id, count in counts.items():
            db.session.execute(db.update(Comment).where(Comment.id == comment_id).values(metoo_count=count))
        _insert(Flag, [{"comment_id": cid, "user_id": rng.choice(ids), "reason": FlagReason.OFF_TOPIC,
                        "note": "", "created_at": now} for cid in rng.sample(new, 3)])
        from codesign.votes.models import Stance, Vote

        stances = list(Stance)
        _insert(Vote, [{"version_id": version_id, "user_id": uid, "stance": stances[uid % len(stances)],
                        "stakeholder_group": author_groups[uid], "created_at": now, "updated_at": now}
                       for uid in ids])
        added["votes"] += len(ids)
        _answer_surveys(proposal_id, ids, author_groups, now)
        added["survey_responses"] += len(ids)
    db.session.commit()
    added["entries"] = _log_entries(district, staff, published, scale, rng)
    added["sessions"] = _sessions(district, staff, [pid for pid, _v in published[:2]], scale, now)
    return added


def _answer_surveys(proposal_id: int, ids: list[int], groups: dict, now) -> None:
    from codesign.surveys.models import (
        Survey,
        SurveyAnswer,
        SurveyQuestion,
        SurveyResponse,
        SurveyStatus,
    )

    for survey_id in db.session.scalars(db.select(Survey.id).where(Survey.proposal_id == proposal_id,
                                                                     Survey.status != SurveyStatus.DRAFT)):
        questions = list(db.session.scalars(db.select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id)))
        existing = set(db.session.scalars(db.select(SurveyResponse.user_id).where(SurveyResponse.survey_id == survey_id)))
        people = [uid for uid in ids if uid not in existing]
        _insert(SurveyResponse, [{"survey_id": survey_id, "user_id": uid, "channel": "online", "language": "en",
                                  "stakeholder_group": groups[uid], "created_at": now, "updated_at": now}
                                 for uid in people])
        responses = list(db.session.scalars(db.select(SurveyResponse.id).where(
            SurveyResponse.survey_id == survey_id, SurveyResponse.user_id.in_(people))))
        answers = []
        for response_id in responses:
            for question in questions:
                if question.options:
                    answers.append({"response_id": response_id, "question_id": question.id,
                                    "option_id": question.options[response_id % len(question.options)].id})
                elif question.kind.value == "scale":
                    answers.append({"response_id": response_id, "question_id": question.id,
                                    "scale": 1 + response_id % 5})
                else:
                    answers.append({"response_id": response_id, "question_id": question.id,
                                    "text": f"Answer {response_id}"})
        _insert(SurveyAnswer, answers)


def _log_entries(district, staff, published, scale: int, rng) -> int:
    from codesign.responselog import service as log
    from codesign.responselog.models import Outcome

    # Like the demo's entries: each names the versions it moved between, where its proposal has
    # two, and every other one amends the one before it; the proposals take turns. So the log's
    # newest page shows the same kinds of entry at any size.
    logged = []
    for proposal_id, _version_id in sorted(published)[:3]:
        comment_ids = list(db.session.scalars(db.select(Comment.id).where(
            Comment.proposal_id == proposal_id, Comment.parent_id.is_(None),
            Comment.moderation == Moderation.VISIBLE).limit(40)))
        versions = list(db.session.scalars(db.select(ProposalVersion.id).where(
            ProposalVersion.proposal_id == proposal_id, ProposalVersion.number.is_not(None))
            .order_by(ProposalVersion.number)))
        moved = {"from_version_id": versions[-2] if len(versions) > 1 else None,
                 "to_version_id": versions[-1] if len(versions) > 1 else None}
        logged.append((db.session.get(Proposal, proposal_id), comment_ids, moved))
    previous: dict[int, int] = {}
    made = 0
    for n in range(2 * scale):
        for proposal, comment_ids, moved in logged:
            amends = previous.get(proposal.id) if n % 2 else None
            entry = log.create_entry(proposal, staff, heard=f"People asked about retention ({n}).",
                                     outcome=Outcome.PARTLY_CHANGED, reasons="We shortened it.",
                                     amends_id=amends, **moved)
            log.link_comments(entry, rng.sample(comment_ids, min(len(comment_ids), 8)))
            log.publish_entry(entry)
            previous[proposal.id] = entry.id
            made += 1
    return made


def _sessions(district, staff, proposal_ids: list[int], scale: int, now) -> int:
    from codesign.community import service as community
    from codesign.community.models import SessionMode

    made = 0
    for n in range(scale):
        organization = community.save_organization(
            district, None, name=f"Grown organization {n} ({scale}, {now.timestamp():.0f})",
            description="Parents helping parents.", languages=["es", "vi"], contact="")
        for k in range(3):
            starts = now + timedelta(days=3 + k)
            community.schedule_session(district, organization, staff, community.SessionFields(
                title=f"Grown session {n}-{k}", starts_at=starts, ends_at=starts + timedelta(hours=2),
                mode=SessionMode.IN_PERSON, place="Library", languages=["es"], capacity=40,
                proposal_ids=proposal_ids))
            made += 1
    return made
