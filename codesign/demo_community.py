"""Demo community organizations and sessions: two organizations, two past sessions with their
recorded input (attendance, comments, a show of hands, paper surveys) and two upcoming ones."""
from __future__ import annotations

from datetime import timedelta

from codesign.accounts.models import StakeholderGroup
from codesign.comments.models import Channel, Comment, Kind
from codesign.community.models import (
    Organization,
    OrganizationFacilitator,
    Session,
    SessionAttendance,
    SessionMode,
    SessionProposal,
    SessionTally,
)
from codesign.db import utcnow
from codesign.extensions import db
from codesign.votes.models import Stance

ORGANIZATIONS = [
    ("Familias Unidas de Riverside", "A parents' network that meets at the public library and the Eastside "
     "community center. Sessions in Spanish and Vietnamese, with interpreters.", "es vi",
     "(555) 010-3300 · familiasunidas.example.org"),
    ("Riverside Arabic and Somali Parents Circle", "Parents who meet after Friday prayers and on Saturday "
     "mornings; sessions in Arabic and Somali, with childcare.", "ar so", "(555) 010-4400"),
]

# (session title, organization index, days from now, place, languages, interpretation, attendance, comments)
PAST = [
    ("Charla: el panel de asistencia", 0, -12, "Riverside Public Library, Community Room", "es vi", "vi",
     {StakeholderGroup.FAMILY: 18, StakeholderGroup.STUDENT: 4, StakeholderGroup.COMMUNITY_MEMBER: 2},
     [(Kind.CONCERN, "retention", "es", StakeholderGroup.FAMILY, "Tres años es demasiado. Un año y después borrar."),
      (Kind.QUESTION, "access", "es", StakeholderGroup.FAMILY, "¿Los maestros van a ver por qué faltó mi hijo?"),
      (Kind.SUGGESTION, "opt_out", "vi", StakeholderGroup.FAMILY, "Xin gửi mẫu từ chối bằng tiếng Việt, cả trên giấy."),
      (Kind.SUPPORT, "purpose", "es", StakeholderGroup.STUDENT, "Si alguien me hubiera llamado antes, no habría perdido el año."),
      (Kind.CONCERN, "sharing", "es", StakeholderGroup.COMMUNITY_MEMBER, "¿La empresa del software puede vender los datos?")],
     {StakeholderGroup.FAMILY: (11, 4, 3), StakeholderGroup.STUDENT: (3, 1, 0)}),
    ("جلسة حوار حول لوحة متابعة الحضور", 1, -5, "Al-Noor Community Hall, 210 River Road", "ar so", "so en",
     {StakeholderGroup.FAMILY: 14, StakeholderGroup.STUDENT: 3},
     [(Kind.CONCERN, "access", "ar", StakeholderGroup.FAMILY, "لا نريد أن يرى الجميع أسباب غياب بناتنا."),
      (Kind.QUESTION, "retention", "ar", StakeholderGroup.FAMILY, "ماذا يحدث للبيانات عندما ينتقل الطالب إلى منطقة أخرى؟"),
      (Kind.SUGGESTION, "opt_out", "so", StakeholderGroup.FAMILY, "Foomka ka bixitaanka ku qor af-Soomaali."),
      (Kind.SUPPORT, "purpose", "ar", StakeholderGroup.STUDENT, "المكالمة المبكرة تساعد. أخي احتاجها.")],
     {StakeholderGroup.FAMILY: (6, 3, 5)}),
]
UPCOMING = [
    ("Conversación sobre el clima escolar", 0, 6, "Eastside Community Center, Room B", "es", "vi"),
    ("Online: questions about school climate surveys", 1, 9, "", "ar en", "so"),
]


def load_demo_community(district, staff, facilitator, proposals) -> bool:
    """Create the demo organizations and sessions once; False if the district already has some.

    proposals: (the attendance dashboard, the school climate survey) proposals of the demo.
    """
    if db.session.scalar(db.select(Organization.id).where(Organization.district_id == district.id).limit(1)):
        return False
    attendance, climate = proposals
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    organizations = []
    for name, description, languages, contact in ORGANIZATIONS:
        organization = Organization(district_id=district.id, name=name, description=description,
                                    languages=languages, contact=contact)
        db.session.add(organization)
        organizations.append(organization)
    db.session.flush()
    if facilitator is not None:
        db.session.add(OrganizationFacilitator(organization_id=organizations[0].id, user_id=facilitator.id))
    for title, org, days, place, languages, interpretation, present, comments, hands in PAST:
        start = now + timedelta(days=days, hours=-2)
        session = Session(district_id=district.id, organization_id=organizations[org].id, title=title,
                          starts_at=start, ends_at=start + timedelta(hours=2), mode=SessionMode.IN_PERSON, place=place,
                          step_free=True, childcare=True, food=org == 0, languages=languages,
                          interpretation=interpretation, capacity=40, coming=21,
                          created_by_id=staff.id, confirmed_at=start + timedelta(days=1), confirmed_by_id=staff.id)
        db.session.add(session)
        db.session.flush()
        db.session.add(SessionProposal(session_id=session.id, proposal_id=attendance.id))
        db.session.add_all(SessionAttendance(session_id=session.id, stakeholder_group=group, count=count)
                           for group, count in present.items())
        for kind, section, language, group, body in comments:
            db.session.add(Comment(proposal_id=attendance.id, version_id=attendance.current_version_id, author_id=None,
                                   kind=kind, section=section, stakeholder_group=group, language=language,
                                   channel=Channel.SESSION, session_id=session.id, body=body,
                                   created_at=start + timedelta(days=1)))
        _attach_paper_forms(session, attendance, 20 if org == 0 else 12)
        for group, counts in hands.items():
            db.session.add_all(SessionTally(session_id=session.id, version_id=attendance.current_version_id,
                                            stakeholder_group=group, stance=stance, count=count)
                               for stance, count in zip(Stance, counts, strict=True) if count)
    for title, org, days, place, languages, interpretation in UPCOMING:
        start = now + timedelta(days=days, hours=18 - now.hour)
        online = not place
        session = Session(district_id=district.id, organization_id=organizations[org].id, title=title,
                          starts_at=start, ends_at=start + timedelta(hours=1, minutes=30),
                          mode=SessionMode.ONLINE if online else SessionMode.IN_PERSON, place=place,
                          online_link="https://meet.example.org/riverside-climate" if online else "",
                          step_free=not online, childcare=not online, food=not online, languages=languages,
                          interpretation=interpretation, capacity=None if online else 35, created_by_id=staff.id)
        db.session.add(session)
        db.session.flush()
        db.session.add(SessionProposal(session_id=session.id, proposal_id=climate.id))
    db.session.commit()
    return True


def _attach_paper_forms(session, proposal, count: int) -> None:
    """Some of the demo survey's paper forms were filled in at this session."""
    from codesign.surveys.models import Survey, SurveyResponse

    ids = list(db.session.scalars(
        db.select(SurveyResponse.id).join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(Survey.proposal_id == proposal.id, SurveyResponse.channel == Channel.PAPER,
               SurveyResponse.session_id.is_(None)).order_by(SurveyResponse.id).limit(count)))
    if ids:
        db.session.execute(db.update(SurveyResponse).where(SurveyResponse.id.in_(ids)).values(session_id=session.id))
