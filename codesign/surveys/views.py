"""Surveys: staff build and translate them; participants answer; everyone reads the results
once published (staff and board always)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from codesign.accounts.models import StakeholderGroup
from codesign.authz import has_role, require, require_role
from codesign.comments.models import Channel
from codesign.content_translations.models import ORIGIN_LABELS, Origin
from codesign.content_translations.service import (
    has_requested_text,
    request_text,
    source_hash,
)
from codesign.content_translations.views import (
    Notice,
    confirmed_fields,
    remember_request,
    requesters,
)
from codesign.districts.models import Role
from codesign.districts.service import local_to_utc, utc_to_local
from codesign.downloads import csv_download
from codesign.extensions import db, per_person
from codesign.forms import Form, add_error, flash_form_errors, language_options
from codesign.i18n import (
    CONTENT_LANGUAGES,
    SUPPORTED_LOCALES,
    current_locale_code,
    locale_name,
    text_direction,
)
from codesign.surveys import bp, service
from codesign.surveys.forms import PaperForm, QuestionForm, ReviewForm, SurveyForm
from codesign.surveys.models import (
    OPTION_KINDS,
    QUESTION_KIND_LABELS,
    SCALE_LABELS,
    SURVEY_STATUS_LABELS,
    TEXT_REVIEW_LABELS,
    QuestionKind,
    Survey,
    SurveyQuestion,
    SurveyStatus,
    TextReview,
)
from codesign.surveys.results import ALL, BREAKDOWNS, OTHER, survey_results
from codesign.text import one_line

SURVEY_ERRORS = {
    "bad_proposal": _l("Choose a proposal of this district."),
    "dates": _l("The survey must close after it opens."),
    "answered": _l("This survey has answers, so its questions and options can no longer be removed, reordered or changed in kind. You can still correct their wording."),
    "few_options": _l("Give at least two options, one per line."),
    "duplicate_options": _l("Each option must be different."),
    "bad_limit": _l("The most choices allowed must be between 1 and the number of options."),
    "bad_option": _l("Choose an option from the list."),
    "no_dates": _l("Set when the survey opens and closes before publishing it."),
    "no_questions": _l("Add at least one question before publishing."),
    "closed": _l("This survey is not open for answers now, so your answers were not saved."),
    "invalid": _l("Please correct the highlighted questions."),
    "bad_answer": _l("That answer is not part of this survey."),
    "redaction_empty": _l("Write the text to publish, with the personal details removed."),
    "bad_key": _l("Only this survey's texts can be translated."),
}
ANSWER_ERRORS = {
    "required": _l("Please answer this question."),
    "one_choice": _l("Choose only one option."),
    "bad_option": _l("Choose an option from the list."),
    "too_many": _l("You chose more options than this question allows."),
    "other_empty": _l("You chose “Other”: please say what."),
    "bad_ranking": _l("Give each option a different place, from 1 to the number of options, or leave them all empty."),
    "too_long": _l("Your answer is too long. Please shorten it."),
}
BREAKDOWN_LABELS = {
    ALL: _l("Everyone"),
    "group": _l("By group"),
    "language": _l("By language"),
    "channel": _l("By how they answered"),
}
TEXT_MAX = 4_000


def _is_staff() -> bool:
    return has_role(current_user, g.district, Role.STAFF)


def _survey_or_404(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.district_id != g.district.id or (survey.is_draft and not _is_staff()):
        abort(404)
    return survey


def _question_or_404(survey: Survey, question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _can_see_results(survey: Survey) -> bool:
    return (not survey.is_draft and survey.results_public) or has_role(current_user, g.district, Role.STAFF, Role.BOARD)


def _form_context(survey: Survey, questions, locale: str, values=None, errors=None) -> dict:
    """What the answer form needs: texts in the reader's language, values and errors."""
    return dict(
        survey=survey, questions=questions, values=values or {}, errors=errors or {},
        loc=service.localize(survey, questions, locale, g.district.default_locale),
        original_lang=g.district.default_locale, scale_labels=SCALE_LABELS, answer_errors=ANSWER_ERRORS,
    )


# ---------------------------------------------------------------- everyone

@bp.route("/surveys/")
def index():
    """The district's surveys: open ones first; staff also see drafts."""
    query = db.select(Survey).where(Survey.district_id == g.district.id)
    if not _is_staff():
        query = query.where(Survey.status == SurveyStatus.PUBLISHED)
    surveys = sorted(db.session.scalars(query.order_by(Survey.id.desc())), key=lambda s: not s.is_open())
    return render_template("surveys/index.html", surveys=surveys, is_staff=_is_staff(),
                           status_labels=SURVEY_STATUS_LABELS)


@bp.route("/surveys/<int:survey_id>/", methods=["GET", "POST"])
@per_person("30 per minute", methods=["POST"])
def show(survey_id: int):
    """The survey in the reader's language, and the form to answer (or change answers)."""
    survey = _survey_or_404(survey_id)
    questions = service.questions_of(survey)
    locale = current_locale_code()
    mine = service.response_of(survey, current_user)
    values = service.answers_as_form(mine, questions)
    errors: dict = {}
    status = 200
    if request.method == "POST":
        require(current_user.is_authenticated)
        form = Form()
        parsed = service.parse_answers(questions, request.form)
        values = {key: request.form.getlist(key) for key in request.form}
        if not form.validate_on_submit():
            flash_form_errors(form)
            status = 400
        elif parsed.errors:
            errors = parsed.errors
            status = 422
        else:
            try:
                service.submit_response(survey, current_user, parsed, locale)
            except service.SurveyError as error:
                flash(str(SURVEY_ERRORS[error.code]), "error")
                status = 409
            else:
                flash(_("Thank you. Your answers are saved. You can change them until the survey closes."), "success")
                return redirect(url_for("surveys.show", survey_id=survey.id) + "#answers", code=303)
    context = _form_context(survey, questions, locale, values, errors)
    return render_template(
        "surveys/show.html", answered=mine is not None, is_staff=_is_staff(), action_form=Form(),
        can_see_results=_can_see_results(survey), proposal=_proposal_of(survey),
        translation_notice=_notice(survey, context["loc"]), **context,
    ), status


def _notice(survey: Survey, loc: service.Localized) -> Notice:
    """What a reader is told about the survey's language (content_translations/_notice.html)."""
    requested = loc.state in ("missing", "partial") and has_requested_text(
        "survey", survey, loc.locale, requesters())
    return Notice(loc, url_for("surveys.request_translation", survey_id=survey.id), requested,
                  url_for("surveys.show", survey_id=survey.id, lang=g.district.default_locale))


def _proposal_of(survey: Survey):
    if survey.proposal_id is None:
        return None
    from codesign.proposals.models import Proposal

    proposal = db.session.get(Proposal, survey.proposal_id)
    return proposal if proposal and proposal.current_version_id else None


@bp.route("/surveys/<int:survey_id>/results")
def results(survey_id: int):
    """Aggregates per question, overall or broken down, with small counts suppressed."""
    survey = _survey_or_404(survey_id)
    require(_can_see_results(survey))
    breakdown = request.args.get("by", ALL)
    if breakdown not in BREAKDOWNS:
        breakdown = ALL
    questions = service.questions_of(survey)
    return render_template(
        "surveys/results.html", survey=survey, result=survey_results(survey, questions, g.district, breakdown),
        breakdown_labels=BREAKDOWN_LABELS, other=OTHER, all_column=ALL, is_staff=_is_staff(),
        loc=service.localize(survey, questions, current_locale_code(), g.district.default_locale),
        original_lang=g.district.default_locale, corrections=service.corrections_of(survey),
    )


@bp.route("/surveys/<int:survey_id>/results.csv")
def results_csv(survey_id: int):
    """The aggregates as CSV: question, option, column, people (empty when not shown)."""
    survey = _survey_or_404(survey_id)
    require(_can_see_results(survey))
    breakdown = request.args.get("by", ALL)
    breakdown = breakdown if breakdown in BREAKDOWNS else ALL
    result = survey_results(survey, service.questions_of(survey), g.district, breakdown)
    header = ["question", "question_text", "option", breakdown, "people", "suppressed"]
    rows = []
    for item in result.questions:
        if item.table is None:
            continue
        for row, label in item.rows:
            for column, _label in item.columns:
                cell = item.table.cells[row][column]
                rows.append([item.question.position, item.question.prompt, label or row, column, cell.value,
                             ("complementary" if cell.complementary else "below_threshold") if cell.suppressed else ""])
    return csv_download(header, rows, f"{g.district.slug}-survey-{survey.id}-results.csv")


@bp.route("/surveys/<int:survey_id>/responses.csv")
def responses_csv(survey_id: int):
    """Every response, one row each, without any account identifier (staff only)."""
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    questions = service.questions_of(survey)
    header, rows = service.anonymous_rows(survey, questions)
    return csv_download(header, rows, f"{g.district.slug}-survey-{survey.id}-responses.csv")


# ---------------------------------------------------------------- staff

def _proposal_choices():
    from codesign.forms import SelectChoice
    from codesign.proposals.models import Proposal, ProposalVersion

    pairs = db.session.execute(
        db.select(Proposal.id, ProposalVersion.title).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .where(Proposal.district_id == g.district.id).order_by(Proposal.id.desc())).all()
    lang = {"lang": g.district.default_locale}
    return [SelectChoice("", _("No proposal"))] + [SelectChoice(str(pid), title, render_kw=lang) for pid, title in pairs]


def _settings(form: SurveyForm) -> dict:
    return dict(
        title=form.title.data, intro=form.intro.data or "",
        proposal_id=int(form.proposal.data) if form.proposal.data else None,
        opens_at=local_to_utc(g.district, form.opens_at.data) if form.opens_at.data else None,
        closes_at=local_to_utc(g.district, form.closes_at.data) if form.closes_at.data else None,
    )


@bp.route("/surveys/new", methods=["GET", "POST"])
def new():
    require_role(g.district, Role.STAFF)
    form = SurveyForm()
    form.proposal.choices = _proposal_choices()
    if not form.is_submitted() and request.args.get("proposal", "").isdigit():
        form.proposal.data = request.args["proposal"]
    if form.validate_on_submit():
        try:
            survey = service.create_survey(g.district, current_user, **_settings(form))
        except service.SurveyError as error:
            _field_error(form, error)
        else:
            flash(_("The survey is saved as a draft. Now add its questions."), "success")
            return redirect(url_for("surveys.edit", survey_id=survey.id), code=303)
    return render_template("surveys/settings.html", form=form, survey=None), 422 if form.errors or form.form_errors else 200


def _field_error(form, error: service.SurveyError) -> None:
    add_error(form, error.field, SURVEY_ERRORS[error.code])


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
def edit(survey_id: int):
    """Settings, questions, languages, publishing and the tools around a survey (staff)."""
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    form = SurveyForm(obj=survey)
    form.proposal.choices = _proposal_choices()
    if not form.is_submitted():
        form.proposal.data = str(survey.proposal_id or "")
        form.opens_at.data = utc_to_local(g.district, survey.opens_at) if survey.opens_at else None
        form.closes_at.data = utc_to_local(g.district, survey.closes_at) if survey.closes_at else None
    if form.validate_on_submit():
        try:
            service.update_survey(survey, g.district, current_user, **_settings(form))
        except service.SurveyError as error:
            _field_error(form, error)
        else:
            flash(_("The survey is saved."), "success")
            return redirect(url_for("surveys.edit", survey_id=survey.id), code=303)
    questions = service.questions_of(survey)
    corrections = service.corrections_of(survey)
    return render_template(
        "surveys/edit.html", survey=survey, form=form, questions=questions, action_form=Form(),
        kind_labels=QUESTION_KIND_LABELS, answered=service.has_answers(survey), corrections=corrections,
        languages=[code for code in g.district.language_codes if code != g.district.default_locale],
        pending=len(service.text_answers(survey, TextReview.PENDING)),
    ), 422 if form.errors or form.form_errors else 200


def _question_page(survey, form, question=None, status=200):
    answered = service.has_answers(survey)
    return render_template("surveys/question.html", survey=survey, form=form, question=question,
                           answered=answered), status


@bp.route("/surveys/<int:survey_id>/questions/new", methods=["GET", "POST"])
def new_question(survey_id: int):
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            service.add_question(survey, kind=QuestionKind(form.kind.data), prompt=form.prompt.data,
                                 required=form.required.data, allow_other=form.allow_other.data,
                                 max_choices=form.max_choices.data, options=form.option_lines())
        except service.SurveyError as error:
            _field_error(form, error)
        else:
            flash(_("The question is added."), "success")
            return redirect(url_for("surveys.edit", survey_id=survey.id) + "#questions", code=303)
    return _question_page(survey, form, status=422 if form.errors or form.form_errors else 200)


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(survey_id: int, question_id: int):
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    question = service.questions_of(survey)
    question = next((q for q in question if q.id == question_id), None) or abort(404)
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        form.kind.data = str(question.kind)
        form.option_text.data = "\n".join(option.label for option in question.options)
    answered = service.has_answers(survey)
    if answered:
        form.kind.data = str(question.kind)  # the kind is fixed once there are answers
    if form.validate_on_submit():
        corrections = None
        lines = form.option_lines()
        if answered:
            corrections = {option.id: one_line(request.form.get(f"option-{option.id}", option.label))
                           for option in question.options}
            lines = None
        try:
            service.update_question(survey, question, current_user, kind=QuestionKind(form.kind.data),
                                    prompt=form.prompt.data, required=form.required.data,
                                    allow_other=form.allow_other.data, max_choices=form.max_choices.data,
                                    options=lines, corrections=corrections)
        except service.SurveyError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("The question is saved."), "success")
            return redirect(url_for("surveys.edit", survey_id=survey.id) + "#questions", code=303)
    return _question_page(survey, form, question, status=422 if form.errors or form.form_errors else 200)


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>/<action>", methods=["POST"])
def question_action(survey_id: int, question_id: int, action: str):
    """Move a question up or down, or delete it (only while there are no answers)."""
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    question = _question_or_404(survey, question_id)
    if action not in ("up", "down", "delete"):
        abort(404)
    if Form().validate_on_submit():
        try:
            if action == "delete":
                service.delete_question(survey, question)
                flash(_("The question is deleted."), "success")
            else:
                service.move_question(survey, question, -1 if action == "up" else 1)
        except service.SurveyError as error:
            flash(str(SURVEY_ERRORS[error.code]), "error")
    return redirect(url_for("surveys.edit", survey_id=survey.id) + "#questions", code=303)


@bp.route("/surveys/<int:survey_id>/publish", methods=["POST"])
def publish(survey_id: int):
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    if Form().validate_on_submit():
        try:
            service.publish_survey(survey)
        except service.SurveyError as error:
            flash(str(SURVEY_ERRORS[error.code]), "error")
        else:
            flash(_("The survey is published."), "success")
    return redirect(url_for("surveys.edit", survey_id=survey.id), code=303)


@bp.route("/surveys/<int:survey_id>/results-visibility", methods=["POST"])
def results_visibility(survey_id: int):
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    if Form().validate_on_submit():
        public = request.form.get("public") == "1"
        service.set_results_public(survey, public)
        flash(_("Everyone can now see the results.") if public else _("Only staff and the board can see the results now."),
              "success")
    return redirect(url_for("surveys.edit", survey_id=survey.id), code=303)


def _offered_language(locale: str) -> str:
    if locale not in g.district.language_codes:
        abort(404)
    return locale


@bp.route("/surveys/<int:survey_id>/translate/<locale>", methods=["GET", "POST"])
def translate(survey_id: int, locale: str):
    """Every text of the survey beside a box for its translation (staff)."""
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    locale = _offered_language(locale)
    if locale == g.district.default_locale:
        abort(404)
    questions = service.questions_of(survey)
    sources = service.sources_of(survey, questions)
    keys = list(sources)
    form = Form()
    texts = service.texts_of(survey, locale)
    errors = {}
    if form.validate_on_submit():
        texts = {key: (request.form.get(f"t-{key}") or "").replace("\r\n", "\n") for key in keys}
        errors = {key: _("Use at most %(max)d characters.", max=TEXT_MAX) for key, text in texts.items()
                  if len(text) > TEXT_MAX}
        if not errors:
            try:
                origin = Origin(request.form.get("origin", Origin.DISTRICT.value))
            except ValueError:
                abort(400)
            service.save_translation(survey, locale, texts, set(keys), origin=origin, translator=current_user,
                                     seen={key: request.form.get(f"h-{key}", "") for key in keys},
                                     confirmed=confirmed_fields(keys))
            flash(_("The %(language)s translation is saved.", language=locale_name(locale)), "success")
            return redirect(url_for("surveys.translate", survey_id=survey.id, locale=locale), code=303)
    rows = service.rows_of(survey, locale)
    origins = {row.origin for row in rows.values()}
    return render_template(
        "surveys/translate.html", survey=survey, questions=questions, texts=texts, locale=locale, form=form,
        errors=errors, original_lang=g.district.default_locale, origin_labels=ORIGIN_LABELS,
        hashes={key: request.form.get(f"h-{key}", "") if errors else source_hash(text) for key, text in sources.items()},
        outdated=service.outdated_keys(rows, sources), current_origin=origins.pop() if len(origins) == 1 else Origin.DISTRICT,
    ), 422 if errors else 200


@bp.route("/surveys/<int:survey_id>/request-translation", methods=["POST"])
@per_person("20 per hour")
def request_translation(survey_id: int):
    """Ask for this survey in my language: once per person or browser, counted for staff."""
    survey = _survey_or_404(survey_id)
    locale = current_locale_code()
    response = redirect(url_for("surveys.show", survey_id=survey.id) + "#translation", code=303)
    if not Form().validate_on_submit():
        abort(400)
    if survey.is_draft or locale == g.district.default_locale or locale not in g.district.language_codes:
        return response
    return remember_request(lambda who: has_requested_text("survey", survey, locale, who),
                            lambda who: request_text("survey", survey, g.district, locale, who), response)


@bp.route("/surveys/<int:survey_id>/preview/<locale>")
def preview(survey_id: int, locale: str):
    """The survey exactly as a participant reading in that language would see it (staff)."""
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    locale = _offered_language(locale)
    with force_locale(locale):
        body = Markup(render_template("surveys/_preview_body.html",
                                      **_form_context(survey, service.questions_of(survey), locale)))
    return render_template("surveys/preview.html", survey=survey, locale=locale, preview_html=body,
                           preview_dir=text_direction(locale))


@bp.route("/surveys/<int:survey_id>/paper", methods=["GET", "POST"])
def paper(survey_id: int):
    """Type in a paper questionnaire that came by mail or by hand (staff and facilitators)."""
    require_role(g.district, Role.STAFF, Role.FACILITATOR)
    return paper_entry(survey_id)


def paper_entry(survey_id: int, session=None):
    """The paper form entry page; with a community session, the answers belong to it and the
    survey must be about one of the session's proposals. The caller checks who may do this."""
    survey = _survey_or_404(survey_id)
    if survey.is_draft:
        abort(404)
    if session is not None:
        from codesign.community.service import proposals_of

        if survey.proposal_id not in {p.id for p in proposals_of(session)}:
            abort(404)
    questions = service.questions_of(survey)
    form = PaperForm()
    form.language.choices = language_options(CONTENT_LANGUAGES.get(code) or SUPPORTED_LOCALES[code]
                                             for code in g.district.language_codes)
    values, errors, status = {}, {}, 200
    if form.is_submitted():
        parsed = service.parse_answers(questions, request.form)
        values = {key: request.form.getlist(key) for key in request.form}
        if not form.validate():
            status = 422
        elif parsed.errors:
            errors, status = parsed.errors, 422
        else:
            try:
                service.enter_paper_response(survey, current_user, parsed, language=form.language.data,
                                             group=StakeholderGroup(form.stakeholder_group.data), channel=Channel.PAPER,
                                             session_id=session.id if session is not None else None)
            except service.SurveyError as error:
                flash(str(SURVEY_ERRORS[error.code]), "error")
                status = 409
            else:
                flash(_("The paper answers are saved. You can type in the next form."), "success")
                return redirect(request.path, code=303)
    return render_template("surveys/paper.html", form=form, session=session, **_form_context(
        survey, questions, g.district.default_locale, values, errors)), status


@bp.route("/surveys/<int:survey_id>/review", methods=["GET"])
def review(survey_id: int):
    """Text answers waiting for a decision, then the ones already decided (staff)."""
    require_role(g.district, Role.STAFF)
    return _review_page(_survey_or_404(survey_id))


def _review_page(survey, failed: int | None = None, form: ReviewForm | None = None, message: str | None = None):
    """The review list; after a refused decision, that answer's form with what was typed and why."""
    pending = service.text_answers(survey, TextReview.PENDING)
    decided = [row for row in service.text_answers(survey) if row[0].review != TextReview.PENDING]
    return render_template("surveys/review.html", survey=survey, pending=pending, decided=decided,
                           review_labels=TEXT_REVIEW_LABELS, form=form or ReviewForm(), failed=failed,
                           message=message), 422 if failed else 200


@bp.route("/surveys/<int:survey_id>/review/<int:answer_id>", methods=["POST"])
def review_answer(survey_id: int, answer_id: int):
    require_role(g.district, Role.STAFF)
    survey = _survey_or_404(survey_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            service.review_text(survey, answer_id, TextReview(form.review.data), form.redacted_text.data or "")
        except service.SurveyError as error:
            flash(str(SURVEY_ERRORS[error.code]), "error")
        else:
            flash(_("The decision is saved."), "success")
        return redirect(url_for("surveys.review", survey_id=survey.id), code=303)
    if form.csrf_token.errors:
        abort(400)
    return _review_page(survey, answer_id, form)


@bp.app_template_global()
def survey_option_kinds():
    return OPTION_KINDS
