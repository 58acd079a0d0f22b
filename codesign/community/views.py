"""Community organizations and sessions: public pages, scheduling, the facilitator kit and
recording what the room said."""
from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from codesign.accounts.models import STAKEHOLDER_LABELS, StakeholderGroup
from codesign.authz import has_role, require, require_role
from codesign.comments.models import KIND_LABELS, SECTION_LABELS
from codesign.community import bp, service
from codesign.community.forms import (
    CsvForm,
    FacilitatorForm,
    OrganizationForm,
    SessionForm,
)
from codesign.community.models import (
    SESSION_MODE_LABELS,
    Organization,
    Session,
    SessionMode,
)
from codesign.content_translations.kinds import KINDS
from codesign.content_translations.service import localize_all, localize_current
from codesign.content_translations.views import text_context
from codesign.districts.models import Role
from codesign.districts.service import local_to_utc, utc_to_local
from codesign.extensions import db, limiter
from codesign.forms import Form, SelectChoice, add_error, flash_form_errors
from codesign.i18n import CONTENT_LANGUAGES, text_direction
from codesign.qr import qr_svg
from codesign.suppression import show_count
from codesign.votes.models import STANCE_LABELS, Stance

COMMUNITY_ERRORS = {
    "no_such_person": _l("No account has that username or email."),
    "not_yours": _l("Only staff and this organization's facilitators can do that."),
    "ends_before_start": _l("The session must end after it starts."),
    "in_the_past": _l("An upcoming session must start in the future."),
    "place_required": _l("Say where the session takes place."),
    "link_required": _l("Give the meeting link, starting with https://."),
    "bad_capacity": _l("Enter a number from 1 to 10,000."),
    "no_proposal": _l("Choose at least one proposal."),
    "bad_proposal": _l("Choose proposals of this district."),
    "already_held": _l("This session has already taken place, so its details can no longer change."),
    "not_yet": _l("Input can be recorded once the session has started."),
    "confirmed": _l("The facilitator confirmed this record, so only staff can change it now."),
    "bad_count": _l("Counts must be whole numbers of 0 or more."),
    "tally_exceeds": _l("A tally cannot count more people of a group than attended."),
    "bad_version": _l("Choose a version of a proposal this session is about."),
    "invalid_rows": _l("Some rows have problems. Nothing was saved: correct them and send again."),
    "encoding": _l("The file could not be read. Save it as CSV in UTF-8 and try again."),
    "columns": _l("The columns must be exactly: proposal, kind, section, stakeholder_group, language, comment."),
    "too_many_rows": _l("That is too many rows at once: send at most 2,000."),
    "empty": _l("There were no rows to add."),
}
ROW_ERRORS = {
    "bad_proposal": _l("Choose one of this session's proposals."),
    "bad_choice": _l("Choose a value from the list."),
    "bad_length": _l("A comment needs 5 to 4,000 characters."),
}
SIGNED_UP = "sessions_coming"
DEFAULT_ROWS = 5
MAX_ROWS = 60


def _is_staff() -> bool:
    return has_role(current_user, g.district, Role.STAFF)


def _organization_or_404(organization_id: int) -> Organization:
    found = db.session.get(Organization, organization_id)
    if found is None or found.district_id != g.district.id:
        abort(404)
    return found


def _session_or_404(session_id: int) -> Session:
    found = db.session.get(Session, session_id)
    if found is None or found.district_id != g.district.id:
        abort(404)
    return found


def _error(error: service.CommunityError) -> str:
    return str(COMMUNITY_ERRORS[error.code])


# ---------------------------------------------------------------- organizations

@bp.route("/organizations/")
def organizations():
    return render_template("community/organizations.html", organizations=service.organizations_of(g.district),
                           is_staff=_is_staff())


@bp.route("/organizations/new", methods=["GET", "POST"])
def new_organization():
    require_role(g.district, Role.STAFF)
    return _organization_form(None)


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
def edit_organization(organization_id: int):
    require_role(g.district, Role.STAFF)
    return _organization_form(_organization_or_404(organization_id))


def _organization_form(organization):
    form = OrganizationForm(obj=organization)
    if organization is not None and not form.is_submitted():
        form.languages.data = organization.language_codes
    if form.validate_on_submit():
        saved = service.save_organization(g.district, organization, name=form.name.data,
                                          description=form.description.data or "",
                                          languages=form.languages.data or [], contact=form.contact.data or "")
        flash(_("The organization is saved."), "success")
        return redirect(url_for("community.organization", organization_id=saved.id), code=303)
    return render_template("community/organization_form.html", form=form, organization=organization), (
        422 if form.errors else 200)


@bp.route("/organizations/<int:organization_id>/")
def organization(organization_id: int):
    """An organization: its sessions, and the input it brought in (aggregated, suppressed)."""
    found = _organization_or_404(organization_id)
    upcoming = service.list_sessions(g.district, upcoming=True, organization_id=found.id)
    past = service.list_sessions(g.district, upcoming=False, organization_id=found.id)
    counts = service.session_input_counts([s.id for s, _o in past])
    threshold = g.district.suppression_threshold
    totals = {key: sum(c[key] for c in counts.values()) for key in ("comments", "attendance", "responses")}
    return render_template(
        "community/organization.html", organization=found, upcoming=upcoming, past=past, is_staff=_is_staff(),
        comments=totals["comments"], attendance=show_count(totals["attendance"], threshold),
        responses=totals["responses"], facilitators=service.facilitators_of(found) if _is_staff() else [],
        facilitator_form=FacilitatorForm(), action_form=Form(), **text_context("organization", found),
    )


@bp.route("/organizations/<int:organization_id>/facilitators", methods=["POST"])
def add_facilitator(organization_id: int):
    require_role(g.district, Role.STAFF)
    found = _organization_or_404(organization_id)
    form = FacilitatorForm()
    if form.validate_on_submit():
        try:
            service.add_facilitator(g.district, found, form.login.data)
        except service.CommunityError as error:
            flash(_error(error), "error")
        else:
            flash(_("They can now schedule sessions and record input for this organization."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("community.organization", organization_id=found.id) + "#facilitators", code=303)


@bp.route("/organizations/<int:organization_id>/facilitators/<int:user_id>/remove", methods=["POST"])
def remove_facilitator(organization_id: int, user_id: int):
    require_role(g.district, Role.STAFF)
    found = _organization_or_404(organization_id)
    if Form().validate_on_submit():
        service.remove_facilitator(found, user_id)
        flash(_("They no longer facilitate for this organization."), "success")
    return redirect(url_for("community.organization", organization_id=found.id) + "#facilitators", code=303)


# ---------------------------------------------------------------- sessions

@bp.route("/sessions/")
def sessions():
    can_schedule = bool(service.organizations_facilitated_by(current_user, g.district))
    return render_template("community/sessions.html", upcoming=service.list_sessions(g.district, upcoming=True),
                           past=service.list_sessions(g.district, upcoming=False), can_schedule=can_schedule)


def _session_form(form: SessionForm, organizations) -> SessionForm:
    from codesign.proposals.models import Proposal, ProposalVersion

    form.organization.choices = [SelectChoice(str(o.id), o.name, render_kw={"lang": g.district.default_locale})
                                 for o in organizations]
    lang = {"lang": g.district.default_locale}
    form.proposals.choices = [SelectChoice(pid, title, render_kw=lang) for pid, title in db.session.execute(
        db.select(Proposal.id, ProposalVersion.title).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .where(Proposal.district_id == g.district.id).order_by(Proposal.id.desc()))]
    return form


def _fields(form: SessionForm) -> service.SessionFields:
    return service.SessionFields(
        title=form.title.data, starts_at=local_to_utc(g.district, form.starts_at.data),
        ends_at=local_to_utc(g.district, form.ends_at.data), mode=SessionMode(form.mode.data),
        place=form.place.data or "", online_link=form.online_link.data or "", step_free=form.step_free.data,
        childcare=form.childcare.data, food=form.food.data, interpretation=form.interpretation.data or [],
        languages=form.languages.data or [], capacity=form.capacity.data, proposal_ids=form.proposals.data or [],
    )


def _field_error(form, error: service.CommunityError) -> None:
    add_error(form, error.field, _error(error))


@bp.route("/sessions/new", methods=["GET", "POST"])
def new_session():
    organizations = service.organizations_facilitated_by(current_user, g.district)
    require(bool(organizations))
    form = _session_form(SessionForm(), organizations)
    if not form.is_submitted():
        form.mode.data = SessionMode.IN_PERSON.value
        if request.args.get("proposal", "").isdigit():
            form.proposals.data = [int(request.args["proposal"])]
    if form.validate_on_submit():
        organization = next((o for o in organizations if str(o.id) == form.organization.data), None)
        try:
            if organization is None:
                raise service.CommunityError("not_yours", "organization")
            created = service.schedule_session(g.district, organization, current_user, _fields(form))
        except service.CommunityError as error:
            _field_error(form, error)
        else:
            flash(_("The session is scheduled."), "success")
            return redirect(url_for("community.session_page", session_id=created.id), code=303)
    return render_template("community/session_form.html", form=form, item=None), 422 if form.errors or form.form_errors else 200


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    item = _session_or_404(session_id)
    require(service.may_run(current_user, g.district, item.organization_id))
    organizations = [o for o in service.organizations_facilitated_by(current_user, g.district)
                     if o.id == item.organization_id]
    form = _session_form(SessionForm(obj=item), organizations)
    if not form.is_submitted():
        form.organization.data = str(item.organization_id)
        form.starts_at.data = utc_to_local(g.district, item.starts_at)
        form.ends_at.data = utc_to_local(g.district, item.ends_at)
        form.mode.data = item.mode.value
        form.languages.data = item.language_codes
        form.interpretation.data = item.interpretation_codes
        form.proposals.data = [p.id for p in service.proposals_of(item)]
    if form.validate_on_submit():
        try:
            service.update_session(item, g.district, current_user, _fields(form))
        except service.CommunityError as error:
            _field_error(form, error)
        else:
            flash(_("The session is saved."), "success")
            return redirect(url_for("community.session_page", session_id=item.id), code=303)
    return render_template("community/session_form.html", form=form, item=item), 422 if form.errors or form.form_errors else 200


@bp.route("/sessions/<int:session_id>/")
def session_page(session_id: int):
    item = _session_or_404(session_id)
    organization = db.session.get(Organization, item.organization_id)
    counts = service.session_input_counts([item.id])[item.id]
    return render_template(
        "community/session.html", item=item, organization=organization, proposals=service.proposals_of(item),
        signed_up=item.id in session.get(SIGNED_UP, []), may_run=service.may_run(current_user, g.district, item.organization_id),
        action_form=Form(), mode_labels=SESSION_MODE_LABELS, brought=counts,
        attendance=show_count(counts["attendance"], g.district.suppression_threshold),
        **text_context("session", item),
    )


@bp.route("/sessions/<int:session_id>/coming", methods=["POST"])
@limiter.limit("5 per hour")
def coming(session_id: int):
    """Someone will come: a count only, no account or name. Capacity-aware."""
    item = _session_or_404(session_id)
    if Form().validate_on_submit():
        if item.id in session.get(SIGNED_UP, []):
            flash(_("You already said you will come. Thank you!"), "info")
        elif service.say_coming(item):
            session[SIGNED_UP] = [*session.get(SIGNED_UP, []), item.id][-50:]
            flash(_("Thank you! We counted you."), "success")
        else:
            flash(_("Sorry, this session is full or has already taken place."), "error")
    return redirect(url_for("community.session_page", session_id=item.id), code=303)


@bp.route("/sessions/<int:session_id>/calendar.ics")
def calendar(session_id: int):
    """The session as an iCalendar event, for any calendar app."""
    from icalendar import Calendar, Event

    item = _session_or_404(session_id)
    cal = Calendar()
    cal.add("prodid", "-//Codesign//sessions//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"session-{item.id}@{request.host}")
    event.add("summary", item.title)
    event.add("dtstart", item.starts_at)
    event.add("dtend", item.ends_at)
    event.add("dtstamp", item.created_at)
    event.add("url", url_for("community.session_page", session_id=item.id, _external=True))
    if item.mode == SessionMode.IN_PERSON:
        event.add("location", item.place)
    cal.add_component(event)
    response = make_response(cal.to_ical())
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = f'attachment; filename="session-{item.id}.ics"'
    return response


@bp.route("/sessions/<int:session_id>/kit/<locale>")
def kit(session_id: int, locale: str):
    """The facilitator kit, printable in a language the district offers (A4 or US Letter)."""
    item = _session_or_404(session_id)
    require(service.may_run(current_user, g.district, item.organization_id))
    if locale not in g.district.language_codes:
        abort(404)
    paper = "letter" if request.args.get("paper") == "letter" else "a4"
    proposals = service.proposals_of(item)
    from codesign.proposals.models import DATA_CARD_FIELDS
    from codesign.surveys import service as surveys
    from codesign.surveys.models import SCALE_LABELS

    linked_surveys = []
    for proposal in proposals:
        for survey, _title, _lang in surveys.surveys_for_proposal(proposal, locale):
            questions = surveys.questions_of(survey)
            linked_surveys.append((survey, questions, surveys.localize(survey, questions, locale, g.district.default_locale)))
    with force_locale(locale):
        urls = {p.id: url_for("proposals.show", proposal_id=p.id, lang=locale, _external=True) for p in proposals}
        qr_codes = {pid: qr_svg(url, title=url) for pid, url in urls.items()}
        return render_template(
            "community/kit.html", item=item, proposals=proposals, locale=locale, paper=paper,
            kit_dir=text_direction(locale), card_fields=DATA_CARD_FIELDS, kind_labels=KIND_LABELS,
            section_labels=SECTION_LABELS, group_labels=STAKEHOLDER_LABELS, qr_codes=qr_codes,
            linked_surveys=linked_surveys, organization=db.session.get(Organization, item.organization_id),
            proposal_texts=localize_current(proposals, locale, g.district.default_locale),
            texts=localize_all(KINDS["session"], [item], locale, g.district.default_locale)[item.id],
            original_lang=g.district.default_locale, scale_labels=SCALE_LABELS,
        )


# ---------------------------------------------------------------- recording

def _recording_page(item: Session, status: int = 200, **extra):
    proposals = service.proposals_of(item)
    from codesign.surveys import service as surveys

    linked_surveys = [survey for proposal in proposals
                      for survey, _t, _l in surveys.surveys_for_proposal(proposal, g.district.default_locale)]
    return render_template(
        "community/record.html", item=item, proposals=proposals, attendance=service.attendance_of(item),
        tallies=service.tallies_of(item), groups=list(StakeholderGroup), stances=list(Stance),
        group_labels=STAKEHOLDER_LABELS, stance_labels=STANCE_LABELS, action_form=Form(),
        history=service.history_of(item), brought=service.session_input_counts([item.id])[item.id],
        linked_surveys=linked_surveys, is_staff=_is_staff(), **extra,
    ), status


def _recordable_or_403(session_id: int) -> Session:
    item = _session_or_404(session_id)
    require(service.may_run(current_user, g.district, item.organization_id))
    return item


@bp.route("/sessions/<int:session_id>/record")
def record(session_id: int):
    """Everything the facilitator records after the session, on one page."""
    return _recording_page(_recordable_or_403(session_id))


def _counts_from_form(prefix: str, keys) -> dict:
    return {key: service.parse_count(request.form.get(prefix + "-".join(k.value for k in key)))
            for key in keys}


@bp.route("/sessions/<int:session_id>/record/attendance", methods=["POST"])
def record_attendance(session_id: int):
    item = _recordable_or_403(session_id)
    if not Form().validate_on_submit():
        abort(400)
    counts = {group: service.parse_count(request.form.get(f"a-{group.value}")) for group in StakeholderGroup}
    try:
        service.save_attendance(item, g.district, current_user, counts)
    except service.CommunityError as error:
        return _recording_page(item, 422, attendance_error=_error(error), typed=request.form)
    flash(_("Attendance is saved."), "success")
    return redirect(url_for("community.record", session_id=item.id) + "#attendance", code=303)


@bp.route("/sessions/<int:session_id>/record/tally/<int:version_id>", methods=["POST"])
def record_tally(session_id: int, version_id: int):
    item = _recordable_or_403(session_id)
    if not Form().validate_on_submit():
        abort(400)
    counts = {(group, stance): service.parse_count(request.form.get(f"t-{group.value}-{stance.value}"))
              for group in StakeholderGroup for stance in Stance}
    try:
        service.save_tally(item, g.district, current_user, version_id, counts)
    except service.CommunityError as error:
        return _recording_page(item, 422, tally_error=(version_id, _error(error)), typed=request.form)
    flash(_("The tally is saved."), "success")
    return redirect(url_for("community.record", session_id=item.id) + f"#tally-{version_id}", code=303)


def _rows_from_form(count: int) -> list[dict]:
    return [{key: request.form.get(f"r{index}-{key}", "") for key in service.CSV_COLUMNS} for index in range(count)]


def _comment_rows_page(item: Session, rows: list[dict], errors=None, status: int = 200, csv_form=None):
    errors_by_row: dict[int, dict[str, str]] = {}
    for error in errors or []:
        errors_by_row.setdefault(error.row, {})[error.field] = str(ROW_ERRORS[error.code])
    return render_template(
        "community/comments.html", item=item, rows=rows, errors=errors_by_row, proposals=service.proposals_of(item),
        locked=item.is_confirmed and not _is_staff(),
        kind_labels=KIND_LABELS, section_labels=SECTION_LABELS, group_labels=STAKEHOLDER_LABELS,
        languages=CONTENT_LANGUAGES, csv_form=csv_form or CsvForm(), form=Form(), columns=service.CSV_COLUMNS,
    ), status


@bp.route("/sessions/<int:session_id>/record/comments", methods=["GET", "POST"])
def record_comments(session_id: int):
    """Many comments on one page: rows of the comment sheet. Nothing is saved until all are right."""
    item = _recordable_or_403(session_id)
    count = min(max(request.form.get("rows", request.args.get("rows", DEFAULT_ROWS), type=int) or DEFAULT_ROWS, 1),
                MAX_ROWS)
    if request.method == "GET":
        return _comment_rows_page(item, [{} for _ in range(count)])
    if not Form().validate_on_submit():
        abort(400)
    rows = _rows_from_form(count)
    if request.form.get("more"):  # "More rows" without JavaScript: keep everything typed
        return _comment_rows_page(item, rows + [{} for _ in range(DEFAULT_ROWS)][: MAX_ROWS - count])
    clean, errors = service.check_comment_rows(item, rows, form_rows=True)
    if errors:
        flash(_error(service.CommunityError("invalid_rows")), "error")
        return _comment_rows_page(item, rows, errors, 422)
    if not clean:
        flash(_error(service.CommunityError("empty")), "error")
        return _comment_rows_page(item, rows, status=422)
    try:
        added = service.add_comments(item, g.district, current_user, rows, form_rows=True)
    except service.CommunityError as error:
        flash(_error(error), "error")
        return _comment_rows_page(item, rows, status=409)
    flash(ngettext_added(added), "success")
    return redirect(url_for("community.record", session_id=item.id) + "#comments", code=303)


def ngettext_added(added) -> str:
    from flask_babel import ngettext

    message = ngettext("%(num)s comment was added to the record.", "%(num)s comments were added to the record.",
                       added.comments)
    if added.held:
        message += " " + ngettext(
            "%(num)s of them seems to contain personal information, so a district moderator will read it "
            "before it is shown.",
            "%(num)s of them seem to contain personal information, so a district moderator will read them "
            "before they are shown.", added.held)
    return message


@bp.route("/sessions/<int:session_id>/record/comments/row")
def comment_row(session_id: int):
    """One more empty row for the bulk form (htmx)."""
    item = _recordable_or_403(session_id)
    index = min(max(request.args.get("index", 0, type=int), 0), MAX_ROWS - 1)
    return render_template(
        "community/_comment_row.html", item=item, index=index, row={}, row_errors={},
        proposals=service.proposals_of(item), kind_labels=KIND_LABELS, section_labels=SECTION_LABELS,
        group_labels=STAKEHOLDER_LABELS, languages=CONTENT_LANGUAGES,
    )


@bp.route("/sessions/<int:session_id>/record/comments.csv", methods=["POST"])
@limiter.limit("30 per hour")
def record_comments_csv(session_id: int):
    """A CSV of the comment sheet, uploaded or pasted; checked row by row, saved all or nothing."""
    item = _recordable_or_403(session_id)
    form = CsvForm()
    if not form.validate_on_submit():
        return _comment_rows_page(item, [{} for _ in range(DEFAULT_ROWS)], status=422, csv_form=form)
    data = form.file.data.read() if form.file.data else (form.pasted.data or "").encode()
    try:
        rows = service.read_csv(data)
    except service.CommunityError as error:
        form.form_errors.append(_error(error))
        return _comment_rows_page(item, [{} for _ in range(DEFAULT_ROWS)], status=422, csv_form=form)
    clean, errors = service.check_comment_rows(item, rows, first_row=2)
    if errors:
        return render_template("community/csv_errors.html", item=item, errors=errors, row_errors=ROW_ERRORS,
                               message=_error(service.CommunityError("invalid_rows"))), 422
    try:
        added = service.add_comments(item, g.district, current_user, rows)
    except service.CommunityError as error:
        flash(_error(error), "error")
        return redirect(url_for("community.record", session_id=item.id), code=303)
    flash(ngettext_added(added), "success")
    return redirect(url_for("community.record", session_id=item.id) + "#comments", code=303)


@bp.route("/sessions/<int:session_id>/record/surveys/<int:survey_id>", methods=["GET", "POST"])
def record_survey(session_id: int, survey_id: int):
    """The session's paper questionnaires, typed in one at a time."""
    item = _recordable_or_403(session_id)
    from codesign.surveys import views as survey_views

    if request.method == "POST":
        try:
            staff_change = service.check_recording(item, g.district, current_user)
        except service.CommunityError as error:
            flash(_error(error), "error")
            return redirect(url_for("community.record", session_id=item.id), code=303)
    response = survey_views.paper_entry(survey_id, session=item)
    if request.method == "POST" and staff_change and getattr(response, "status_code", 200) == 303:
        service.note_change(item, current_user, "survey", str(survey_id))
    return response


@bp.route("/sessions/<int:session_id>/record/confirm", methods=["POST"])
def confirm(session_id: int):
    item = _recordable_or_403(session_id)
    if Form().validate_on_submit():
        try:
            service.confirm_record(item, g.district, current_user)
        except service.CommunityError as error:
            flash(_error(error), "error")
        else:
            flash(_("Thank you. The record is confirmed as a true account of the session."), "success")
    return redirect(url_for("community.record", session_id=item.id), code=303)

