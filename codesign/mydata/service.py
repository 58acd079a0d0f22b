"""Everything one person contributed, gathered in a fixed number of queries."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from codesign.accounts.models import StakeholderGroup, User
from codesign.db import utcnow
from codesign.extensions import db
from codesign.notifications.models import (
    EmailHow,
    NotificationKind,
    email_choice_column,
)


@dataclass
class MyData:
    account: dict
    roles: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    votes: list[dict] = field(default_factory=list)
    survey_responses: list[dict] = field(default_factory=list)
    me_too: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    contests: list[dict] = field(default_factory=list)
    translation_requests: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _titles(proposal_ids: set[int]) -> dict[int, tuple[str, str, str]]:
    """Proposal id → (current title, district slug, the title's language)."""
    from codesign.districts.models import District
    from codesign.proposals.models import Proposal, ProposalVersion

    if not proposal_ids:
        return {}
    rows = db.session.execute(
        db.select(Proposal.id, ProposalVersion.title, District.slug, District.default_locale)
        .join(District, District.id == Proposal.district_id)
        .outerjoin(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .where(Proposal.id.in_(proposal_ids)))
    return {pid: (title or "", slug, lang) for pid, title, slug, lang in rows}


def _proposal(titles: dict, proposal_id: int) -> dict:
    title, slug, lang = titles.get(proposal_id, ("", "", "en"))
    return {"proposal_id": proposal_id, "proposal": title, "proposal_language": lang, "district": slug}


def collect(user) -> MyData:
    from codesign.comments.models import Comment, Flag, MeToo
    from codesign.content_translations.models import (
        ContentTranslationRequest,
        TranslationRequest,
    )
    from codesign.districts.models import District, Membership
    from codesign.proposals.models import ProposalVersion
    from codesign.responselog.models import Contest, ResponseEntry
    from codesign.surveys.models import (
        Survey,
        SurveyAnswer,
        SurveyOption,
        SurveyQuestion,
        SurveyResponse,
    )
    from codesign.votes.models import Vote

    data = MyData(account={
        "username": user.username, "display_name": user.display_name, "email": user.email,
        "stakeholder_group": user.stakeholder_group.value, "preferred_locale": user.preferred_locale,
        "email_choices": {kind.value: getattr(user, email_choice_column(kind)).value for kind in NotificationKind},
        "created_at": user.created_at.isoformat() if user.created_at else None,
        "last_sign_in": user.last_login_at.isoformat() if user.last_login_at else None,
    })
    data.roles = [{"district": slug, "role": role.value} for slug, role in db.session.execute(
        db.select(District.slug, Membership.role).join(District, District.id == Membership.district_id)
        .where(Membership.user_id == user.id).order_by(District.slug, Membership.role))]
    comments = list(db.session.scalars(db.select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)))
    votes = list(db.session.execute(
        db.select(Vote, ProposalVersion.proposal_id, ProposalVersion.number)
        .join(ProposalVersion, ProposalVersion.id == Vote.version_id)
        .where(Vote.user_id == user.id).order_by(Vote.id)))
    titles = _titles({c.proposal_id for c in comments} | {pid for _vote, pid, _n in votes})
    data.comments = [{
        "id": c.id, **_proposal(titles, c.proposal_id),
        "reply_to": c.parent_id, "kind": c.kind.value, "section": c.section,
        "language": c.language, "text": c.moderated_body or c.body, "withdrawn": c.withdrawn,
        "moderation": c.moderation.value, "hidden_as": c.hidden_category.value if c.hidden_category else None,
        "written_at": c.created_at.isoformat(), "edited_at": c.edited_at.isoformat() if c.edited_at else None,
        "status": c.disposition.value, "district_answer": c.official_answer,
    } for c in comments]
    data.votes = [{**_proposal(titles, pid), "version": number,
                   "stance": vote.stance.value, "at": vote.updated_at.isoformat()} for vote, pid, number in votes]
    responses = list(db.session.execute(
        db.select(SurveyResponse, Survey.title, District.default_locale)
        .join(Survey, Survey.id == SurveyResponse.survey_id).join(District, District.id == Survey.district_id)
        .where(SurveyResponse.user_id == user.id).order_by(SurveyResponse.id)))
    answers: dict[int, list[dict]] = {}
    if responses:
        for answer, prompt, label in db.session.execute(
            db.select(SurveyAnswer, SurveyQuestion.prompt, SurveyOption.label)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .outerjoin(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
            .where(SurveyAnswer.response_id.in_([r.id for r, _t, _l in responses]))
            .order_by(SurveyAnswer.response_id, SurveyQuestion.position, SurveyAnswer.id)
        ):
            item = {"question": prompt}
            if label is not None:
                item["choice"] = label
            if answer.rank is not None:
                item["rank"] = answer.rank
            if answer.scale is not None:
                item["scale"] = answer.scale
            if answer.text:
                item["text"] = answer.text
            answers.setdefault(answer.response_id, []).append(item)
    data.survey_responses = [{"survey": title, "survey_id": response.survey_id, "survey_language": lang,
                              "language": response.language, "at": response.created_at.isoformat(),
                              "answers": answers.get(response.id, [])}
                             for response, title, lang in responses]
    data.me_too = [{"comment_id": comment_id, "at": at.isoformat()} for comment_id, at in db.session.execute(
        db.select(MeToo.comment_id, MeToo.created_at).where(MeToo.user_id == user.id).order_by(MeToo.id))]
    data.reports = [{"comment_id": flag.comment_id, "reason": flag.reason.value, "note": flag.note,
                     "at": flag.created_at.isoformat()} for flag in db.session.scalars(
        db.select(Flag).where(Flag.user_id == user.id).order_by(Flag.id))]
    data.contests = [{"log_entry": sequence, "reason": contest.reason, "at": contest.created_at.isoformat()}
                     for contest, sequence in db.session.execute(
        db.select(Contest, ResponseEntry.sequence).join(ResponseEntry, ResponseEntry.id == Contest.entry_id)
        .where(Contest.user_id == user.id).order_by(Contest.id))]
    me = f"user:{user.id}"
    data.translation_requests = [
        *({"proposal_id": pid, "language": locale} for pid, locale in db.session.execute(
            db.select(TranslationRequest.proposal_id, TranslationRequest.locale)
            .where(TranslationRequest.requester == me).order_by(TranslationRequest.id))),
        *({kind: subject_id, "language": locale} for kind, subject_id, locale in db.session.execute(
            db.select(ContentTranslationRequest.kind, ContentTranslationRequest.subject_id,
                      ContentTranslationRequest.locale)
            .where(ContentTranslationRequest.requester == me).order_by(ContentTranslationRequest.id))),
    ]
    return data


def erase_account(user, *, withdraw_comments: bool) -> None:
    """Erase an account and everything that ties a row to the person, in one transaction.

    Comments stay as anonymous text or are withdrawn, as the person chooses; votes, survey answers,
    "me too"s, reports and requests stay in the counts with no link to anyone; roles end; the
    account's name, email, password, preferences and session token are deleted, so every signed-in
    session ends. Audit events of actions the person took as staff, board member, facilitator or
    admin keep the username they were recorded with (who decided must stay on the record).
    """
    from codesign.comments.models import Comment
    from codesign.content_translations.models import (
        ContentTranslationRequest,
        TranslationRequest,
    )

    user_id = user.id
    if withdraw_comments:
        now = utcnow()
        for comment in db.session.scalars(db.select(Comment).where(Comment.author_id == user_id,
                                                                   Comment.withdrawn_at.is_(None))):
            comment.body = comment.moderated_body = ""  # through the ORM, so search forgets them too
            comment.withdrawn_at = now
        db.session.flush()
    # Requests are keyed by "user:<id>"; each becomes a key of its own row, tied to nobody.
    for model in (TranslationRequest, ContentTranslationRequest):
        db.session.execute(db.update(model).where(model.requester == f"user:{user_id}")
                           .values(requester=db.literal("erased:") + db.cast(model.id, db.String)))
    # Every other reference to the account, found from the schema so that a new table is not missed.
    for column, on_delete in _references_to_users():
        statement = (db.delete(column.table) if on_delete == "CASCADE"
                     else db.update(column.table).values({column.name: None}))
        db.session.execute(statement.where(column == user_id))
    # The row stays as a number with nothing in it, so the number is never given to anyone else
    # (an audit event's "user:<id>" must never come to mean a new person).
    now = utcnow()
    db.session.execute(db.update(User).where(User.id == user_id).values(
        username=f"erased-{secrets.token_hex(8)}!", email=None, display_name="", password_hash="!",
        stakeholder_group=StakeholderGroup.COMMUNITY_MEMBER, preferred_locale="en", is_admin=False,
        session_token=secrets.token_urlsafe(24), last_login_at=None, inactivity_notice_at=None,
        **{email_choice_column(kind): EmailHow.OFF for kind in NotificationKind}, totp_secret=None, totp_last_step=None, recovery_code_hash=None,
        staff_code_hash=None, staff_code_expires_at=None, staff_code_issued_at=None, created_at=now, erased_at=now))
    db.session.commit()
    db.session.expire_all()


def _references_to_users():
    """(column, ON DELETE rule) of every foreign key to user.id."""
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "user":
                yield fk.parent, (fk.ondelete or "").upper()


def inactive_since(months: int):
    return utcnow() - timedelta(days=round(months * 30.44))


def _last_seen():
    return db.func.coalesce(User.last_login_at, User.created_at)


def notify_inactive(months: int, send) -> int:
    """Tell people with an email, a month ahead, that their unused account will be anonymized.
    `send(user)` returns whether the email went; only those are marked as told."""
    warned = 0
    for user in db.session.scalars(db.select(User).where(
            _last_seen() < inactive_since(months - 1), User.email.is_not(None), User.erased_at.is_(None),
            User.inactivity_notice_at.is_(None)).order_by(User.id)):
        if send(user):
            user.inactivity_notice_at = utcnow()
            warned += 1
    db.session.commit()
    return warned


def anonymize_inactive(months: int) -> int:
    """Erase accounts unused for `months` (comments stay as anonymous text). People with an email
    are erased only once told at least a month earlier."""
    told_in_time = utcnow() - timedelta(days=30)
    ids = list(db.session.scalars(db.select(User.id).where(
        _last_seen() < inactive_since(months), User.erased_at.is_(None),
        db.or_(User.email.is_(None), User.inactivity_notice_at <= told_in_time))))
    for user_id in ids:
        erase_account(db.session.get(User, user_id), withdraw_comments=False)
    return len(ids)
