"""Survey results as the public and the board may see them: counts of people per option,
overall or broken down by stakeholder group, language or channel, every figure suppressed
together (codesign/suppression.py), and averages only where no count behind them is hidden.

A handful of aggregate queries for the whole survey, however many questions and responses.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from codesign.accounts.models import STAKEHOLDER_LABELS, StakeholderGroup
from codesign.comments.models import CHANNEL_LABELS, Channel
from codesign.extensions import db
from codesign.i18n import locale_name
from codesign.suppression import ShownCount, SuppressedTable, show_count, suppress_table
from codesign.surveys.models import (
    CHOICE_KINDS,
    SCALE_LABELS,
    TEXT_KINDS,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    TextReview,
)

BREAKDOWNS = ("all", "group", "language", "channel")
ALL = "all"
OTHER = "other"


@dataclass
class QuestionResult:
    question: SurveyQuestion
    rows: list[tuple[object, str]]  # (row key, label): options, "other", scale points
    columns: list[tuple[object, str]]  # (column key, label)
    table: SuppressedTable | None = None
    respondents: dict = field(default_factory=dict)  # column -> ShownCount
    averages: dict = field(default_factory=dict)  # (row or None, column) -> float, only where safe
    texts: list[tuple[str, str]] = field(default_factory=list)  # (text, language), reviewed ones only
    text_count: ShownCount | None = None

    def percent(self, row, column) -> float | None:
        """Share of the column's respondents, when both figures are shown."""
        cell = self.table.cells[row][column] if self.table else None
        total = self.respondents.get(column)
        if cell is None or cell.suppressed or total is None or total.suppressed or not total.value:
            return None
        return cell.value / total.value


@dataclass
class SurveyResults:
    breakdown: str
    columns: list[tuple[object, str]]
    responses: dict  # column -> ShownCount
    questions: list[QuestionResult]


def _column(breakdown: str):
    return {
        "group": SurveyResponse.stakeholder_group,
        "language": SurveyResponse.language,
        "channel": SurveyResponse.channel,
    }.get(breakdown)


def _columns(breakdown: str, district, present: set) -> list[tuple[object, str]]:
    if breakdown == "group":
        return [(group, str(STAKEHOLDER_LABELS[group])) for group in StakeholderGroup]
    if breakdown == "channel":
        return [(channel, str(CHANNEL_LABELS[channel])) for channel in Channel]
    if breakdown == "language":
        codes = list(dict.fromkeys(district.language_codes + sorted(present)))
        return [(code, locale_name(code)) for code in codes]
    return [(ALL, "")]


def survey_results(survey: Survey, questions: list[SurveyQuestion], district, breakdown: str = ALL) -> SurveyResults:
    threshold = district.suppression_threshold
    column = _column(breakdown)
    group_col = column if column is not None else db.literal(ALL)
    question_ids = [q.id for q in questions]

    responses_raw = dict(db.session.execute(
        db.select(group_col, db.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
        .group_by(group_col)).all()) if column is not None else {ALL: db.session.scalar(
            db.select(db.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id))}
    columns = _columns(breakdown, district, set(responses_raw))
    keys = [key for key, _label in columns]

    counts: dict = {}  # (question, row, column) -> people
    respondents: dict = {}  # (question, column) -> people
    rank_sums: dict = {}  # (question, option, column) -> sum of ranks
    if question_ids:
        firsts = db.func.sum(db.case((SurveyAnswer.rank == 1, 1), else_=0))
        base = (db.select(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.scale, group_col,
                          db.func.count(db.distinct(SurveyAnswer.response_id)), db.func.sum(SurveyAnswer.rank), firsts)
                .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
                .where(SurveyAnswer.question_id.in_(question_ids)))
        for question_id, option_id, scale, col, people, rank_sum, first in db.session.execute(
            base.group_by(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.scale, group_col)
        ):
            row = scale if scale is not None else (option_id if option_id is not None else OTHER)
            if rank_sum is not None:  # a ranking: the table counts who put it first
                rank_sums[(question_id, option_id, col)] = (rank_sum, people)
                people = first
            counts[(question_id, row, col)] = counts.get((question_id, row, col), 0) + people
        for question_id, col, people in db.session.execute(
            db.select(SurveyAnswer.question_id, group_col, db.func.count(db.distinct(SurveyAnswer.response_id)))
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyAnswer.question_id.in_(question_ids))
            .group_by(SurveyAnswer.question_id, group_col)
        ):
            respondents[(question_id, col)] = people
    texts = _reviewed_texts(question_ids)

    results = []
    for question in questions:
        if question.kind in TEXT_KINDS:
            shown_texts = texts.get(question.id, [])
            results.append(QuestionResult(
                question, [], columns, texts=shown_texts,
                text_count=show_count(sum(respondents.get((question.id, k), 0) for k in keys), threshold)))
            continue
        if question.kind == QuestionKind.SCALE:
            rows = [(value, str(label)) for value, label in SCALE_LABELS]
        else:
            rows = [(option.id, option.label) for option in question.options]
            if question.kind in CHOICE_KINDS and question.allow_other:
                rows.append((OTHER, ""))
        table = suppress_table(
            {row: {col: counts.get((question.id, row, col), 0) for col in keys} for row, _label in rows}, threshold)
        people = {col: respondents.get((question.id, col), 0) for col in keys}
        if question.kind == QuestionKind.SINGLE or question.kind == QuestionKind.SCALE:
            shown_people = table.column_totals  # one answer each: the column totals are the people
        else:
            shown_people = {col: show_count(people[col], threshold) for col in keys}
        result = QuestionResult(question, rows, columns, table=table, respondents=shown_people,
                                texts=texts.get(question.id, []))
        for col in keys:
            if not people[col] or shown_people[col].suppressed:
                continue
            if question.kind == QuestionKind.SCALE and not any(table.cells[r][col].suppressed for r, _l in rows):
                result.averages[(None, col)] = sum(r * counts.get((question.id, r, col), 0) for r, _l in rows) / people[col]
            if question.kind == QuestionKind.RANKING:
                for option_id, _label in rows:
                    rank_sum, ranked = rank_sums.get((question.id, option_id, col), (0, 0))
                    if ranked >= threshold:
                        result.averages[(option_id, col)] = rank_sum / ranked
        results.append(result)
    return SurveyResults(breakdown, columns, {col: show_count(responses_raw.get(col, 0), threshold) for col in keys},
                         results)


def _reviewed_texts(question_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Published (or redacted) text answers per question, with the answer's language."""
    texts: dict[int, list[tuple[str, str]]] = {}
    if not question_ids:
        return texts
    for question_id, text, redacted, review, language in db.session.execute(
        db.select(SurveyAnswer.question_id, SurveyAnswer.text, SurveyAnswer.redacted_text, SurveyAnswer.review,
                  SurveyResponse.language)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.question_id.in_(question_ids), SurveyAnswer.text != "",
               SurveyAnswer.review.in_([TextReview.PUBLISHED, TextReview.REDACTED]))
        .order_by(SurveyAnswer.id)
    ):
        texts.setdefault(question_id, []).append((redacted if review == TextReview.REDACTED else text, language))
    return texts
