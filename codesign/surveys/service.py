"""Building surveys, translating them, answering them (online or on paper) and reviewing text.

Once a survey has answers its questions and options can no longer be removed or reordered,
only their wording corrected (each correction recorded), so that results stay meaningful.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from codesign.accounts.models import StakeholderGroup
from codesign.audit.service import record as audit
from codesign.comments.models import Channel
from codesign.content_translations.models import Origin
from codesign.db import dialect_insert, utcnow
from codesign.extensions import db
from codesign.surveys.models import (
    CHOICE_KINDS,
    LONG_TEXT_MAX,
    OPTION_KINDS,
    SCALE_POINTS,
    SHORT_TEXT_MAX,
    TEXT_KINDS,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyCorrection,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
    SurveyText,
    TextReview,
)
from codesign.text import one_line, without_controls


class SurveyError(Exception):
    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


# ---------------------------------------------------------------- building

def create_survey(district, author, *, title: str, intro: str, proposal_id: int | None,
                  opens_at, closes_at) -> Survey:
    survey = Survey(district_id=district.id, author_id=author.id if author else None)
    _apply_settings(survey, district, title=title, intro=intro, proposal_id=proposal_id,
                    opens_at=opens_at, closes_at=closes_at, editor=author)
    db.session.add(survey)
    db.session.commit()
    return survey


def update_survey(survey: Survey, district, editor, **settings) -> Survey:
    _apply_settings(survey, district, editor=editor, **settings)
    db.session.commit()
    return survey


def _apply_settings(survey: Survey, district, *, title: str, intro: str, proposal_id: int | None,
                    opens_at, closes_at, editor) -> None:
    from codesign.proposals.models import Proposal

    if proposal_id is not None:
        proposal = db.session.get(Proposal, proposal_id)
        if proposal is None or proposal.district_id != district.id:
            raise SurveyError("bad_proposal", "proposal")
    if opens_at and closes_at and closes_at <= opens_at:
        raise SurveyError("dates", "closes_on")
    if survey.id is not None and has_answers(survey):
        _record(survey, "title", survey.title, title.strip(), editor)
        _record(survey, "intro", survey.intro, intro.strip(), editor)
    survey.title = title.strip()
    survey.intro = intro.strip()
    survey.proposal_id = proposal_id
    survey.opens_at = opens_at
    survey.closes_at = closes_at


def _record(survey: Survey, key: str, old: str, new: str, editor) -> None:
    if old != new:
        db.session.add(SurveyCorrection(survey_id=survey.id, key=key, old_text=old, new_text=new,
                                        editor_id=editor.id if editor else None))
        audit("survey.correct", f"survey:{survey.id}", district_id=survey.district_id, actor=editor,
              before={key: old}, after={key: new})


def surveys_for_proposal(proposal, locale: str) -> list[tuple[Survey, str, str | None]]:
    """Published surveys about a proposal, for its page: (survey, title in the reader's language,
    that language or None when the title is the original). Two queries."""
    surveys = list(db.session.scalars(db.select(Survey).where(
        Survey.proposal_id == proposal.id, Survey.status == SurveyStatus.PUBLISHED).order_by(Survey.id)))
    titles = dict(db.session.execute(db.select(SurveyText.survey_id, SurveyText.text).where(
        SurveyText.survey_id.in_([s.id for s in surveys]), SurveyText.locale == locale, SurveyText.key == "title")
    ).all()) if surveys else {}
    return [(survey, titles.get(survey.id, survey.title), locale if survey.id in titles else None)
            for survey in surveys]


def corrections_of(survey: Survey) -> list[SurveyCorrection]:
    """Wording corrections made after answers arrived, oldest first."""
    return list(db.session.scalars(
        db.select(SurveyCorrection).where(SurveyCorrection.survey_id == survey.id).order_by(SurveyCorrection.id)))


def has_answers(survey: Survey) -> bool:
    return db.session.scalar(
        db.select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id).limit(1)) is not None


def questions_of(survey: Survey) -> list[SurveyQuestion]:
    """The survey's questions in order, each with its options: two queries."""
    return list(db.session.scalars(
        db.select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id).order_by(SurveyQuestion.position)))


def _clean_options(kind: QuestionKind, labels: list[str]) -> list[str]:
    labels = [label.strip() for label in labels if label.strip()]
    if kind in OPTION_KINDS:
        if len(labels) < 2:
            raise SurveyError("few_options", "option_text")
        if len(set(labels)) != len(labels):
            raise SurveyError("duplicate_options", "option_text")
    return labels if kind in OPTION_KINDS else []


def _check_limit(kind: QuestionKind, max_choices: int | None, option_count: int) -> int | None:
    if kind != QuestionKind.MULTIPLE or not max_choices:
        return None
    if not 1 <= max_choices <= option_count:
        raise SurveyError("bad_limit", "max_choices")
    return max_choices


def add_question(survey: Survey, *, kind: QuestionKind, prompt: str, required: bool, allow_other: bool,
                 max_choices: int | None, options: list[str]) -> SurveyQuestion:
    """Add a question at the end. Allowed until the survey has answers."""
    if has_answers(survey):
        raise SurveyError("answered")
    labels = _clean_options(kind, options)
    last = db.session.scalar(db.select(db.func.max(SurveyQuestion.position))
                             .where(SurveyQuestion.survey_id == survey.id)) or 0
    question = SurveyQuestion(
        survey_id=survey.id, position=last + 1, kind=kind, prompt=prompt.strip(), required=required,
        allow_other=allow_other and kind in CHOICE_KINDS, max_choices=_check_limit(kind, max_choices, len(labels)),
    )
    db.session.add(question)
    db.session.flush()
    db.session.add_all(SurveyOption(question_id=question.id, position=n, label=label)
                       for n, label in enumerate(labels, start=1))
    db.session.commit()
    return question


def update_question(survey: Survey, question: SurveyQuestion, editor, *, prompt: str, required: bool,
                    allow_other: bool, max_choices: int | None, options: list[str] | None = None,
                    corrections: dict[int, str] | None = None, kind: QuestionKind | None = None) -> None:
    """Change a question.

    Without answers: anything, options given as a full new list. With answers: the kind and
    the options' order and number stay; `corrections` rewords options by id (each recorded).
    """
    existing = list(db.session.scalars(
        db.select(SurveyOption).where(SurveyOption.question_id == question.id).order_by(SurveyOption.position)))
    if has_answers(survey):
        if kind is not None and kind != question.kind:
            raise SurveyError("answered", "kind")
        if options is not None and [o.strip() for o in options if o.strip()] != [o.label for o in existing]:
            raise SurveyError("answered", "option_text")
        corrections = corrections or {}
        if set(corrections) - {o.id for o in existing}:
            raise SurveyError("bad_option", "option_text")
        for option in existing:
            new = corrections.get(option.id, option.label).strip()
            if not new:
                raise SurveyError("answered", "option_text")
            _record(survey, option.key, option.label, new, editor)
            option.label = new
        if len({o.label for o in existing}) != len(existing):
            raise SurveyError("duplicate_options", "option_text")
        _record(survey, question.key, question.prompt, prompt.strip(), editor)
        question.prompt = prompt.strip()
        question.required = required
        question.allow_other = allow_other and question.kind in CHOICE_KINDS
        question.max_choices = _check_limit(question.kind, max_choices, len(existing))
        db.session.commit()
        return
    kind = kind or question.kind
    labels = _clean_options(kind, options if options is not None else [o.label for o in existing])
    question.kind = kind
    question.prompt = prompt.strip()
    question.required = required
    question.allow_other = allow_other and kind in CHOICE_KINDS
    question.max_choices = _check_limit(kind, max_choices, len(labels))
    if labels != [o.label for o in existing]:
        # Keep the ids (and so the translations) of options whose wording did not change.
        by_label = {o.label: o for o in existing}
        keep = set()
        for n, label in enumerate(labels, start=1):
            option = by_label.get(label)
            if option is None:
                db.session.add(SurveyOption(question_id=question.id, position=-n, label=label))
            else:
                option.position = -n
                keep.add(option.id)
        for option in existing:
            if option.id not in keep:
                db.session.delete(option)
        db.session.flush()
        db.session.execute(db.update(SurveyOption).where(SurveyOption.question_id == question.id)
                           .values(position=-SurveyOption.position))
    db.session.commit()


def delete_question(survey: Survey, question: SurveyQuestion) -> None:
    if has_answers(survey):
        raise SurveyError("answered")
    db.session.delete(question)
    db.session.flush()
    _renumber(survey)
    db.session.commit()


def move_question(survey: Survey, question: SurveyQuestion, step: int) -> None:
    """Move a question up (-1) or down (+1). Not once there are answers."""
    if has_answers(survey):
        raise SurveyError("answered")
    questions = questions_of(survey)
    index = next(i for i, q in enumerate(questions) if q.id == question.id)
    other = index + step
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
        for position, item in enumerate(questions, start=1):
            item.position = position
    db.session.commit()


def _renumber(survey: Survey) -> None:
    for position, question in enumerate(questions_of(survey), start=1):
        question.position = position


def publish_survey(survey: Survey) -> None:
    if not survey.opens_at or not survey.closes_at:
        raise SurveyError("no_dates", "opens_on")
    if not questions_of(survey):
        raise SurveyError("no_questions")
    survey.status = SurveyStatus.PUBLISHED
    audit("survey.publish", f"survey:{survey.id}", district_id=survey.district_id,
          after={"opens": survey.opens_at, "closes": survey.closes_at})
    db.session.commit()


def set_results_public(survey: Survey, public: bool) -> None:
    survey.results_public = public
    db.session.commit()


# ---------------------------------------------------------------- languages

def texts_of(survey: Survey, locale: str) -> dict[str, str]:
    """The survey's translated texts in one language, by key."""
    return {key: row.text for key, row in rows_of(survey, locale).items()}


def rows_of(survey: Survey, locale: str) -> dict[str, SurveyText]:
    return {row.key: row for row in db.session.scalars(
        db.select(SurveyText).where(SurveyText.survey_id == survey.id, SurveyText.locale == locale))}


def sources_of(survey: Survey, questions: list[SurveyQuestion]) -> dict[str, str]:
    """Every text of the survey in its original language, by translation key, in order."""
    texts = {"title": survey.title}
    if survey.intro:
        texts["intro"] = survey.intro
    for question in questions:
        texts[question.key] = question.prompt
        for option in question.options:
            texts[option.key] = option.label
    return texts


def keys_of(survey: Survey, questions: list[SurveyQuestion]) -> list[str]:
    return list(sources_of(survey, questions))


def save_translation(survey: Survey, locale: str, texts: dict[str, str], valid_keys: set[str], *,
                     seen: dict[str, str] | None = None, origin: Origin = Origin.DISTRICT, translator=None,
                     confirmed: frozenset[str] = frozenset()) -> None:
    """Set the translations of one language; an empty text removes that translation. `seen` is
    the hash of each original the translator was shown (by default: the current originals), so
    a question reworded meanwhile leaves its translation outdated."""
    from codesign.content_translations.service import source_hash, store_texts

    if set(texts) - valid_keys:
        raise SurveyError("bad_key")
    if seen is None:
        seen = {key: source_hash(text) for key, text in sources_of(survey, questions_of(survey)).items()}
    audit("translation.save", f"survey:{survey.id}", district_id=survey.district_id, actor=translator,
          after={"locale": locale, "origin": origin, "keys": sorted(key for key, text in texts.items() if text)})
    store_texts(rows_of(survey, locale), lambda key: SurveyText(survey_id=survey.id, locale=locale, key=key),
                texts, seen, origin, translator, confirmed)


@dataclass
class Localized:
    """A survey's texts in the reader's language, falling back to the original."""

    texts: dict[str, str]
    locale: str
    complete: bool
    outdated_keys: frozenset[str] = frozenset()  # translated from an original that changed since
    origin: Origin | None = None
    is_original: bool = False

    def get(self, key: str, original: str) -> str:
        return self.texts.get(key) or original

    def translated(self, key: str) -> bool:
        return bool(self.texts.get(key))

    @property
    def has_outdated(self) -> bool:
        return bool(self.outdated_keys)

    @property
    def state(self) -> str:
        """As content_translations states it: original, missing, partial, outdated or current."""
        if self.is_original:
            return "original"
        if not self.texts:
            return "missing"
        if not self.complete:
            return "partial"
        return "outdated" if self.outdated_keys else "current"


def outdated_keys(rows: dict[str, SurveyText], sources: dict[str, str]) -> frozenset[str]:
    """Translations made from an original that has changed since (rows from before we kept the
    original's hash cannot tell, and count as current)."""
    from codesign.content_translations.service import source_hash

    return frozenset(key for key, row in rows.items()
                     if key in sources and row.source_hash and row.source_hash != source_hash(sources[key]))


def localize(survey: Survey, questions: list[SurveyQuestion], locale: str, original_locale: str) -> Localized:
    if locale == original_locale:
        return Localized({}, locale, True, is_original=True)
    return localized_from(rows_of(survey, locale), sources_of(survey, questions), locale)


def localized_from(rows: dict[str, SurveyText], sources: dict[str, str], locale: str) -> Localized:
    """A language's saved texts measured against the survey's originals."""
    texts = {key: row.text for key, row in rows.items()}
    origins = {row.origin for row in rows.values()}
    return Localized(texts, locale, all(texts.get(key) for key in sources), outdated_keys(rows, sources),
                     origins.pop() if len(origins) == 1 else None)


# ---------------------------------------------------------------- answering

@dataclass
class ParsedAnswers:
    """Answers read from a form: rows to store, errors by question id, and what was typed."""

    rows: list[dict] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def parse_answers(questions: list[SurveyQuestion], form) -> ParsedAnswers:
    """Read and check every answer from a submitted form (a MultiDict).

    Field names: q<id> (choice, scale, text; several values for multiple choice),
    q<id>-other (the "other" text), q<id>-rank-<option id> (ranking).
    """
    parsed = ParsedAnswers()
    for question in questions:
        name = f"q{question.id}"
        option_ids = {option.id for option in question.options}
        error = None
        rows: list[dict] = []
        if question.kind in CHOICE_KINDS:
            values = [v for v in form.getlist(name) if v]
            if question.kind == QuestionKind.SINGLE and len(values) > 1:
                error = "one_choice"
            other_text = without_controls(one_line(form.get(f"{name}-other") or "")).strip()
            for value in dict.fromkeys(values):
                if value == "other" and question.allow_other:
                    if not other_text:
                        error = error or "other_empty"
                    rows.append({"option_id": None, "text": other_text[:SHORT_TEXT_MAX]})
                elif value.isdigit() and int(value) in option_ids:
                    rows.append({"option_id": int(value)})
                else:
                    error = error or "bad_option"
            if question.max_choices and len(rows) > question.max_choices:
                error = error or "too_many"
        elif question.kind == QuestionKind.SCALE:
            value = (form.get(name) or "").strip()
            if value:
                if value.isdigit() and 1 <= int(value) <= SCALE_POINTS:
                    rows.append({"scale": int(value)})
                else:
                    error = "bad_option"
        elif question.kind == QuestionKind.RANKING:
            ranks = {}
            for option in question.options:
                raw = (form.get(f"{name}-rank-{option.id}") or "").strip()
                if raw:
                    ranks[option.id] = raw
            unknown = [key for key in form if key.startswith(f"{name}-rank-")
                       and not (key.rsplit("-", 1)[1].isdigit() and int(key.rsplit("-", 1)[1]) in option_ids)]
            if unknown:
                error = "bad_option"
            elif ranks:
                numbers = [int(r) if r.isdigit() else 0 for r in ranks.values()]
                if len(ranks) != len(option_ids) or sorted(numbers) != list(range(1, len(option_ids) + 1)):
                    error = "bad_ranking"
                else:
                    rows = [{"option_id": oid, "rank": int(r)} for oid, r in ranks.items()]
        else:
            text = without_controls(form.get(name) or "").replace("\r\n", "\n")
            if question.kind == QuestionKind.SHORT_TEXT:
                text = one_line(text)
            text = text.strip()
            limit = SHORT_TEXT_MAX if question.kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
            if len(text) > limit:
                error = "too_long"
            elif text:
                rows.append({"text": text})
        if not error and question.required and not rows:
            error = "required"
        if error:
            parsed.errors[question.id] = error
        else:
            parsed.rows += [dict(row, question_id=question.id) for row in rows]
    return parsed


def _store(response_id: int, rows: list[dict]) -> None:
    db.session.execute(db.delete(SurveyAnswer).where(SurveyAnswer.response_id == response_id))
    db.session.add_all(SurveyAnswer(response_id=response_id, question_id=row["question_id"],
                                    option_id=row.get("option_id"), rank=row.get("rank"), scale=row.get("scale"),
                                    text=row.get("text", ""),
                                    review=TextReview.PENDING if row.get("text") else TextReview.PUBLISHED)
                       for row in rows)


def submit_response(survey: Survey, user, parsed: ParsedAnswers, language: str) -> SurveyResponse:
    """Save (or replace) the person's one response while the survey is open.

    INSERT ... ON CONFLICT DO NOTHING makes racing first submissions share one row, and the
    row lock makes their answers replace each other rather than pile up.
    """
    if not survey.is_open():
        raise SurveyError("closed")
    if parsed.errors:
        raise SurveyError("invalid")
    now = utcnow()
    db.session.execute(
        dialect_insert(SurveyResponse).values(
            survey_id=survey.id, user_id=user.id, channel=Channel.ONLINE, language=language,
            stakeholder_group=user.stakeholder_group, created_at=now, updated_at=now,
        ).on_conflict_do_nothing(index_elements=[SurveyResponse.survey_id, SurveyResponse.user_id])
    )
    response = db.session.scalar(
        db.select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id)
        .with_for_update()
    )
    response.language = language
    response.updated_at = now
    _store(response.id, parsed.rows)
    db.session.commit()
    return response


def enter_paper_response(survey: Survey, entered_by, parsed: ParsedAnswers, *, language: str,
                         group: StakeholderGroup, channel: Channel = Channel.PAPER,
                         session_id: int | None = None) -> SurveyResponse:
    """A paper questionnaire typed in by staff or a facilitator; it belongs to no account."""
    if survey.is_draft:
        raise SurveyError("closed")
    if parsed.errors:
        raise SurveyError("invalid")
    response = SurveyResponse(survey_id=survey.id, user_id=None, channel=channel, language=language,
                              stakeholder_group=group, entered_by_id=entered_by.id, session_id=session_id)
    db.session.add(response)
    db.session.flush()
    _store(response.id, parsed.rows)
    db.session.commit()
    return response


def response_of(survey: Survey, user) -> SurveyResponse | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(db.select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id))


def answers_as_form(response: SurveyResponse | None, questions: list[SurveyQuestion]) -> dict[str, list[str]]:
    """A saved response as form values, to show it again for changing."""
    values: dict[str, list[str]] = {}
    if response is None:
        return values
    kinds = {question.id: question.kind for question in questions}
    for answer in db.session.scalars(db.select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)):
        name = f"q{answer.question_id}"
        if answer.rank is not None:
            values[f"{name}-rank-{answer.option_id}"] = [str(answer.rank)]
        elif answer.scale is not None:
            values[name] = [str(answer.scale)]
        elif answer.option_id is not None:
            values.setdefault(name, []).append(str(answer.option_id))
        elif answer.text:
            if kinds.get(answer.question_id) in TEXT_KINDS:
                values[name] = [answer.text]
            else:
                values.setdefault(name, []).append("other")
                values[f"{name}-other"] = [answer.text]
    return values


# ---------------------------------------------------------------- reviewing text

def text_answers(survey: Survey, review: TextReview | None = None, limit: int = 200) -> list[tuple]:
    """(answer, question prompt, response language) for text answers, oldest first."""
    query = (db.select(SurveyAnswer, SurveyQuestion.prompt, SurveyResponse.language)
             .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
             .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
             .where(SurveyQuestion.survey_id == survey.id, SurveyAnswer.text != ""))
    if review is not None:
        query = query.where(SurveyAnswer.review == review)
    return list(db.session.execute(query.order_by(SurveyAnswer.id).limit(limit)).all())


def review_text(survey: Survey, answer_id: int, review: TextReview, redacted_text: str = "") -> None:
    answer = db.session.get(SurveyAnswer, answer_id)
    question = db.session.get(SurveyQuestion, answer.question_id) if answer else None
    if answer is None or question is None or question.survey_id != survey.id or not answer.text:
        raise SurveyError("bad_answer")
    if review == TextReview.REDACTED and not redacted_text.strip():
        raise SurveyError("redaction_empty", "redacted_text")
    answer.review = review
    answer.redacted_text = redacted_text.strip() if review == TextReview.REDACTED else ""
    db.session.commit()


def anonymous_rows(survey: Survey, questions: list[SurveyQuestion]) -> tuple[list[str], list[list]]:
    """Every response as one row, numbered 1..n, with no account or entry identifier: two queries."""
    header = ["response", "channel", "language", "stakeholder_group", "date"]
    header += [f"q{question.position}" for question in questions]
    labels = {option.id: option.label for question in questions for option in question.options}
    responses = list(db.session.scalars(
        db.select(SurveyResponse).where(SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)))
    answers: dict[tuple[int, int], list[SurveyAnswer]] = {}
    for answer in db.session.scalars(
        db.select(SurveyAnswer).join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id).order_by(SurveyAnswer.rank, SurveyAnswer.id)
    ):
        answers.setdefault((answer.response_id, answer.question_id), []).append(answer)

    def cell(question: SurveyQuestion, given: list[SurveyAnswer]) -> str:
        if question.kind == QuestionKind.SCALE:
            return str(given[0].scale) if given else ""
        if question.kind in TEXT_KINDS:
            return given[0].text if given else ""
        parts = [labels.get(a.option_id, "") if a.option_id is not None else f"other: {a.text}" for a in given]
        return (" > " if question.kind == QuestionKind.RANKING else "; ").join(parts)

    rows = []
    for number, response in enumerate(responses, start=1):
        rows.append([number, str(response.channel), response.language, str(response.stakeholder_group),
                     response.created_at.date().isoformat()]
                    + [cell(q, answers.get((response.id, q.id), [])) for q in questions])
    return header, rows
