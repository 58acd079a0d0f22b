"""Surveys: ordered questions, their translations, and anonymous-to-the-public responses."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.accounts.models import StakeholderGroup
from codesign.comments.models import Channel
from codesign.content_translations.models import Origin
from codesign.db import TimestampMixin, UTCDateTime, enum_type, utcnow
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db

TITLE_MAX = 200
INTRO_MAX = 4_000
PROMPT_MAX = 1_000
OPTION_MAX = 300
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 4_000
SCALE_POINTS = 5


class SurveyStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


SURVEY_STATUS_LABELS = with_labels(SurveyStatus, {
    SurveyStatus.DRAFT: _l("Draft"),
    SurveyStatus.PUBLISHED: _l("Published"),
})


class QuestionKind(LabelledEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    RANKING = "ranking"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"


QUESTION_KIND_LABELS = with_labels(QuestionKind, {
    QuestionKind.SINGLE: _l("One choice"),
    QuestionKind.MULTIPLE: _l("Several choices"),
    QuestionKind.SCALE: _l("Agreement scale (5 points)"),
    QuestionKind.RANKING: _l("Put options in order"),
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
})
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
OPTION_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)

# The agreement scale, 1 to 5; its labels are interface text, translated like every other.
SCALE_LABELS = (
    (1, _l("Strongly disagree")),
    (2, _l("Disagree")),
    (3, _l("Neither agree nor disagree")),
    (4, _l("Agree")),
    (5, _l("Strongly agree")),
)


class TextReview(LabelledEnum):
    """Free text is shown only after staff read it: people type names and details into it."""

    PENDING = "pending"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    REDACTED = "redacted"


TEXT_REVIEW_LABELS = with_labels(TextReview, {
    TextReview.PENDING: _l("Waiting for review"),
    TextReview.PUBLISHED: _l("Published"),
    TextReview.HIDDEN: _l("Hidden"),
    TextReview.REDACTED: _l("Published with parts removed"),
})


class Survey(TimestampMixin, db.Model):
    """A district's survey, optionally about one proposal."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    intro: Mapped[str] = mapped_column(sa.Text, default="")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[SurveyStatus] = mapped_column(enum_type(SurveyStatus, 16), default=SurveyStatus.DRAFT)
    results_public: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    questions: Mapped[list[SurveyQuestion]] = relationship(
        order_by="SurveyQuestion.position", lazy="raise_on_sql", viewonly=True)

    @property
    def is_draft(self) -> bool:
        return self.status == SurveyStatus.DRAFT

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (self.status == SurveyStatus.PUBLISHED and self.opens_at is not None
                and self.closes_at is not None and self.opens_at <= now < self.closes_at)

    def has_closed(self, now: datetime | None = None) -> bool:
        return self.closes_at is not None and (now or utcnow()) >= self.closes_at


class SurveyQuestion(db.Model):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, 16))
    prompt: Mapped[str] = mapped_column(sa.String(PROMPT_MAX))
    required: Mapped[bool] = mapped_column(default=False)
    allow_other: Mapped[bool] = mapped_column(default=False)
    max_choices: Mapped[int | None] = mapped_column()  # multiple choice only

    # Loaded with the questions in one more query (selectin), never one query per question.
    options: Mapped[list[SurveyOption]] = relationship(
        order_by="SurveyOption.position", lazy="selectin", viewonly=True)

    @property
    def key(self) -> str:
        return f"question:{self.id}"


class SurveyOption(db.Model):
    __tablename__ = "survey_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(sa.String(OPTION_MAX))

    @property
    def key(self) -> str:
        return f"option:{self.id}"


class SurveyText(db.Model):
    """One survey text in another language: key is "title", "intro", "question:<id>" or "option:<id>"."""

    __tablename__ = "survey_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.Text)
    # The SHA-256 of the original its translator saw; "" for translations made before we kept it.
    source_hash: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    origin: Mapped[Origin] = mapped_column(enum_type(Origin, 32), default=Origin.DISTRICT,
                                           server_default=Origin.DISTRICT.value)
    translator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.UniqueConstraint("survey_id", "locale", "key"),)


class SurveyCorrection(TimestampMixin, db.Model):
    """A wording correction made after answers arrived, kept so readers can see what changed."""

    __tablename__ = "survey_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    old_text: Mapped[str] = mapped_column(sa.Text)
    new_text: Mapped[str] = mapped_column(sa.Text)
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))


class SurveyResponse(TimestampMixin, db.Model):
    """One person's (or one paper form's) answers. Never shown with a name."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, 16), default=Channel.ONLINE)
    language: Mapped[str] = mapped_column(sa.String(16))
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(enum_type(StakeholderGroup, 32))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # The community session whose paper forms these were, if any.
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("community_session.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # One online response per person; paper forms have no person.
    __table_args__ = (sa.UniqueConstraint("survey_id", "user_id"),)


class SurveyAnswer(db.Model):
    """One answer: a chosen option (or "other", option_id empty), a rank, a scale point or text."""

    __tablename__ = "survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey_option.id", ondelete="CASCADE"))
    rank: Mapped[int | None] = mapped_column()
    scale: Mapped[int | None] = mapped_column()
    text: Mapped[str] = mapped_column(sa.Text, default="")
    review: Mapped[TextReview] = mapped_column(enum_type(TextReview, 16), default=TextReview.PENDING)
    redacted_text: Mapped[str] = mapped_column(sa.Text, default="")
