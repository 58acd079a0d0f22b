"""The authorization matrix: every route, every method, every kind of person.

MATRIX below says, for each (endpoint, method) of the app and each role, what happens when
that person calls the route with the URL filled in from district A's real objects. It is the
written-down access policy of the site; the tests check the app against it, cell by cell.

A route in app.url_map that is not in MATRIX fails `test_every_route_is_in_the_matrix`,
naming it: whoever adds a route must decide who may use it. Rows for routes that no longer
exist fail the same test.

Outcomes (what the response says, nothing more):

    ok     2xx, or a redirect anywhere but the sign-in page: the person got past every
           access check (for a POST with an empty form this is often a redirect back with
           a message; that is fine, what matters is that the server let them in)
    bad    400, 409 or 422: the person got past the access checks and the deliberately
           minimal request was refused as incomplete (CSRF failures are reported apart)
    login  a redirect to the sign-in page
    403    refused: signed in, but without the role (or authorship) the route needs
    404    not found (e.g. district B's object asked for under district A's address)

GET requests carry no body. POST requests carry only a valid CSRF token, taken from a page
the person can see, so that CSRF never hides what the access checks do.

Roles (columns, in this order):

    anon     not signed in
    part     a participant of district A (and the author of district A's comment)
    fac_a    facilitator of organization A (district A), which runs the session
    fac_b    facilitator of organization B, another organization of district A
    staff_a  staff of district A
    staff_b  staff of district B, and nothing in district A
    board_a  school board member of district A
    admin    platform admin

The world (build_world): districts A ("alpha") and B ("beta"), each with an open proposal
(with a pending draft of its next version), a comment, a published and a draft response-log
entry, two organizations, a community session under way (so its record can be written), a
published survey with a paper answer, and spare objects. The board review is not published
and the survey's results are not public, so those pages are for staff and the board.

Each role runs against a freshly built world: GETs first, then POSTs, signing out last. POSTs
that would change what other rows see (move a proposal to review, publish a log entry,
withdraw a comment, confirm a session record, edit a survey) are pointed at spare objects
(TARGETS); revoking a role and removing a facilitator act on a bystander. No row depends on
which rows ran before it (checked by running the rows in shuffled orders).

Besides the matrix: district B's objects are not found under district A's address, even by
an admin, one id at a time; and unpublished drafts are for staff only, on every route.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.datastructures import MultiDict

from codesign.districts.models import Role
from codesign.extensions import db
from tests.conftest import Browser, csrf_from

ROLES = ("anon", "part", "fac_a", "fac_b", "staff_a", "staff_b", "board_a", "admin")
USERNAMES = {"part": "participant", "fac_a": "fac_a", "fac_b": "fac_b", "staff_a": "staff_a",
             "staff_b": "staff_b", "board_a": "board_a", "admin": "admin"}
OUTCOMES = {"ok", "bad", "login", "403", "404"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}

# endpoint                              method  anon   part   fac_a  fac_b  staff_a staff_b board_a admin
MATRIX_TEXT = """
accounts.account                        GET     login  ok     ok     ok     ok     ok     ok     ok
accounts.change_password                GET     login  ok     ok     ok     ok     ok     ok     ok
accounts.change_password                POST    login  bad    bad    bad    bad    bad    bad    bad
accounts.email_preferences              POST    login  ok     ok     ok     ok     ok     ok     ok
accounts.email_address                  POST    login  bad    bad    bad    bad    bad    bad    bad
accounts.confirm_email                  GET     ok     ok     ok     ok     ok     ok     ok     ok
accounts.confirm_email                  POST    login  ok     ok     ok     ok     ok     ok     ok
accounts.remove_email                   POST    login  ok     ok     ok     ok     ok     ok     ok
accounts.login                          GET     ok     ok     ok     ok     ok     ok     ok     ok
accounts.login                          POST    bad    ok     ok     ok     ok     ok     ok     ok
accounts.logout                         POST    login  ok     ok     ok     ok     ok     ok     ok
accounts.my_input                       GET     login  ok     ok     ok     ok     ok     ok     ok
accounts.register                       GET     ok     ok     ok     ok     ok     ok     ok     ok
accounts.register                       POST    bad    ok     ok     ok     ok     ok     ok     ok
recovery.recover                        GET     ok     ok     ok     ok     ok     ok     ok     ok
recovery.recover                        POST    bad    ok     ok     ok     ok     ok     ok     ok
notifications.index                     GET     login  ok     ok     ok     ok     ok     ok     ok
notifications.go                        GET     login  ok     404    404    404    404    404    404
notifications.unsubscribe               GET     ok     ok     ok     ok     ok     ok     ok     ok
notifications.unsubscribe               POST    ok     ok     ok     ok     ok     ok     ok     ok
notifications.mark_read                 POST    login  ok     ok     ok     ok     ok     ok     ok
follow.follow                           POST    login  ok     ok     ok     ok     ok     ok     ok
recovery.email_link                     GET     ok     ok     ok     ok     ok     ok     ok     ok
recovery.email_link                     POST    bad    ok     ok     ok     ok     ok     ok     ok
recovery.reset_by_link                  GET     ok     ok     ok     ok     ok     ok     ok     ok
recovery.reset_by_link                  POST    bad    bad    bad    bad    bad    bad    bad    bad
recovery.recovery_code                  GET     login  ok     ok     ok     ok     ok     ok     ok
recovery.recovery_code                  POST    login  ok     ok     ok     ok     ok     ok     ok
recovery_staff.staff_code               GET     login  403    403    403    ok     403    403    ok
recovery_staff.staff_code               POST    login  403    403    403    bad    403    403    bad
accounts.under_13                       GET     ok     ok     ok     ok     ok     ok     ok     ok

admin.index                             GET     login  403    403    403    403    403    403    ok
admin.new_district                      GET     login  403    403    403    403    403    403    ok
admin.new_district                      POST    login  403    403    403    403    403    403    bad
admin.edit_district                     GET     login  403    403    403    403    403    403    ok
admin.edit_district                     POST    login  403    403    403    403    403    403    bad
audit.index                             GET     login  403    403    403    403    403    403    ok
audit.export                            GET     login  403    403    403    403    403    403    ok

api.index                               GET     ok     ok     ok     ok     ok     ok     ok     ok
api.openapi                             GET     ok     ok     ok     ok     ok     ok     ok     ok
api.districts                           GET     ok     ok     ok     ok     ok     ok     ok     ok
api.district                            GET     ok     ok     ok     ok     ok     ok     ok     ok
api.proposals                           GET     ok     ok     ok     ok     ok     ok     ok     ok
api.proposal                            GET     ok     ok     ok     ok     ok     ok     ok     ok
api.versions                            GET     ok     ok     ok     ok     ok     ok     ok     ok
api.comments                            GET     ok     ok     ok     ok     ok     ok     ok     ok
api.tallies                             GET     ok     ok     ok     ok     ok     ok     ok     ok
api.log                                 GET     ok     ok     ok     ok     ok     ok     ok     ok

main.home                               GET     ok     ok     ok     ok     ok     ok     ok     ok
main.privacy                            GET     ok     ok     ok     ok     ok     ok     ok     ok
main.set_locale                         POST    ok     ok     ok     ok     ok     ok     ok     ok
mydata.page                             GET     login  ok     ok     ok     ok     ok     ok     ok
mydata.export                           GET     login  ok     ok     ok     ok     ok     ok     ok
mydata.delete                           GET     login  ok     ok     ok     ok     ok     ok     ok
mydata.delete                           POST    login  bad    bad    bad    bad    bad    bad    bad
twofactor.code                          GET     login  ok     ok     ok     ok     ok     ok     ok
twofactor.code                          POST    login  ok     ok     ok     ok     ok     ok     ok
twofactor.setup                         GET     login  403    403    403    ok     ok     ok     ok
twofactor.setup                         POST    login  403    403    403    bad    bad    bad    bad
twofactor.disable                       POST    login  ok     ok     ok     ok     ok     ok     ok
search.everywhere                       GET     ok     ok     ok     ok     ok     ok     ok     ok
district_search.in_district             GET     ok     ok     ok     ok     ok     ok     ok     ok

districts.show                          GET     ok     ok     ok     ok     ok     ok     ok     ok
districts.privacy                       GET     ok     ok     ok     ok     ok     ok     ok     ok
districts.roles                         GET     login  403    403    403    ok     403    403    ok
districts.roles                         POST    login  403    403    403    bad    403    403    bad
districts.revoke_role                   POST    login  403    403    403    ok     403    403    ok

proposals.show                          GET     ok     ok     ok     ok     ok     ok     ok     ok
proposals.versions                      GET     ok     ok     ok     ok     ok     ok     ok     ok
proposals.version                       GET     ok     ok     ok     ok     ok     ok     ok     ok
proposals.changes                       GET     ok     ok     ok     ok     ok     ok     ok     ok
proposals.new                           GET     login  403    403    403    ok     403    403    ok
proposals.new                           POST    login  403    403    403    bad    403    403    bad
proposals.edit_draft                    GET     login  403    403    403    ok     403    403    ok
proposals.edit_draft                    POST    login  403    403    403    ok     403    403    ok
proposals.revise                        POST    login  403    403    403    ok     403    403    ok
proposals.publish                       GET     login  403    403    403    ok     403    403    ok
proposals.publish                       POST    login  403    403    403    bad    403    403    bad
proposals.review                        POST    login  403    403    403    ok     403    403    ok
proposals.decide                        GET     login  403    403    403    ok     403    403    ok
proposals.decide                        POST    login  403    403    403    bad    403    403    bad
votes.vote                              POST    login  ok     ok     ok     ok     ok     ok     ok

comments.index                          GET     ok     ok     ok     ok     ok     ok     ok     ok
comments.show                           GET     ok     ok     ok     ok     ok     ok     ok     ok
comments.create                         POST    login  bad    bad    bad    bad    bad    bad    bad
comments.reply                          POST    login  ok     ok     ok     ok     ok     ok     ok
comments.metoo                          POST    login  ok     ok     ok     ok     ok     ok     ok
comments.flag                           POST    login  ok     ok     ok     ok     ok     ok     ok
comments.edit                           GET     login  ok     403    403    403    403    403    403
comments.edit                           POST    login  ok     403    403    403    403    403    403
comments.withdraw                       POST    login  ok     403    403    403    403    403    403
comments.answer                         POST    login  403    403    403    ok     403    403    ok
comments.disposition                    POST    login  403    403    403    ok     403    403    ok

staffhome.home                          GET     login  403    403    403    ok     403    403    ok

moderation.queue                        GET     login  403    403    403    ok     403    403    ok
moderation.publish                      POST    login  403    403    403    ok     403    403    ok
moderation.keep                         POST    login  403    403    403    ok     403    403    ok
moderation.restore                      POST    login  403    403    403    ok     403    403    ok
moderation.hide                         POST    login  403    403    403    ok     403    403    ok
moderation.redact                       POST    login  403    403    403    bad    403    403    bad

responselog.district_log                GET     ok     ok     ok     ok     ok     ok     ok     ok
responselog.district_feed               GET     ok     ok     ok     ok     ok     ok     ok     ok
responselog.export_json                 GET     ok     ok     ok     ok     ok     ok     ok     ok
responselog.verify                      GET     ok     ok     ok     ok     ok     ok     ok     ok
responselog.entry                       GET     ok     ok     ok     ok     ok     ok     ok     ok
responselog.contest                     POST    login  ok     ok     ok     ok     ok     ok     ok
responselog.proposal_log                GET     ok     ok     ok     ok     ok     ok     ok     ok
responselog.proposal_feed               GET     ok     ok     ok     ok     ok     ok     ok     ok
responselog.new_entry                   GET     login  403    403    403    ok     403    403    ok
responselog.new_entry                   POST    login  403    403    403    bad    403    403    bad
responselog.edit_entry                  GET     login  403    403    403    ok     403    403    ok
responselog.edit_entry                  POST    login  403    403    403    bad    403    403    bad
responselog.publish_entry               POST    login  403    403    403    ok     403    403    ok

review.page                             GET     login  403    403    403    ok     403    ok     ok
review.packet                           GET     login  403    403    403    ok     403    ok     ok
review.packet_pdf                       GET     login  403    403    403    ok     403    ok     ok
review.export_json                      GET     login  403    403    403    ok     403    ok     ok
review.export_csv                       GET     login  403    403    403    ok     403    ok     ok
review.publish                          POST    login  403    403    403    ok     403    403    ok
review.reference_shares                 GET     login  403    403    403    ok     403    403    ok
review.reference_shares                 POST    login  403    403    403    bad    403    403    bad
export.record_json                      GET     ok     ok     ok     ok     ok     ok     ok     ok
export.record_csv                       GET     ok     ok     ok     ok     ok     ok     ok     ok

content_translations.dashboard          GET     login  403    403    403    ok     403    403    ok
content_translations.editor             GET     login  403    403    403    ok     403    403    ok
content_translations.editor             POST    login  403    403    403    ok     403    403    ok
content_translations.text_editor        GET     login  403    403    403    ok     403    403    ok
content_translations.text_editor        POST    login  403    403    403    ok     403    403    ok
content_translations.request_translation POST   ok     ok     ok     ok     ok     ok     ok     ok
content_translations.request_text       POST    ok     ok     ok     ok     ok     ok     ok     ok

surveys.index                           GET     ok     ok     ok     ok     ok     ok     ok     ok
surveys.show                            GET     ok     ok     ok     ok     ok     ok     ok     ok
surveys.show                            POST    login  bad    bad    bad    bad    bad    bad    bad
surveys.request_translation             POST    ok     ok     ok     ok     ok     ok     ok     ok
surveys.results                         GET     login  403    403    403    ok     403    ok     ok
surveys.results_csv                     GET     login  403    403    403    ok     403    ok     ok
surveys.responses_csv                   GET     login  403    403    403    ok     403    403    ok
surveys.new                             GET     login  403    403    403    ok     403    403    ok
surveys.new                             POST    login  403    403    403    bad    403    403    bad
surveys.edit                            GET     login  403    403    403    ok     403    403    ok
surveys.edit                            POST    login  403    403    403    ok     403    403    ok
surveys.new_question                    GET     login  403    403    403    ok     403    403    ok
surveys.new_question                    POST    login  403    403    403    bad    403    403    bad
surveys.edit_question                   GET     login  403    403    403    ok     403    403    ok
surveys.edit_question                   POST    login  403    403    403    bad    403    403    bad
surveys.question_action                 POST    login  403    403    403    ok     403    403    ok
surveys.publish                         POST    login  403    403    403    ok     403    403    ok
surveys.results_visibility              POST    login  403    403    403    ok     403    403    ok
surveys.translate                       GET     login  403    403    403    ok     403    403    ok
surveys.translate                       POST    login  403    403    403    ok     403    403    ok
surveys.preview                         GET     login  403    403    403    ok     403    403    ok
surveys.review                          GET     login  403    403    403    ok     403    403    ok
surveys.review_answer                   POST    login  403    403    403    bad    403    403    bad
surveys.paper                           GET     login  403    ok     ok     ok     403    403    ok
surveys.paper                           POST    login  403    bad    bad    bad    403    403    bad

community.organizations                 GET     ok     ok     ok     ok     ok     ok     ok     ok
community.organization                  GET     ok     ok     ok     ok     ok     ok     ok     ok
community.new_organization              GET     login  403    403    403    ok     403    403    ok
community.new_organization              POST    login  403    403    403    bad    403    403    bad
community.edit_organization             GET     login  403    403    403    ok     403    403    ok
community.edit_organization             POST    login  403    403    403    ok     403    403    ok
community.add_facilitator               POST    login  403    403    403    ok     403    403    ok
community.remove_facilitator            POST    login  403    403    403    ok     403    403    ok
community.sessions                      GET     ok     ok     ok     ok     ok     ok     ok     ok
community.session_page                  GET     ok     ok     ok     ok     ok     ok     ok     ok
community.calendar                      GET     ok     ok     ok     ok     ok     ok     ok     ok
community.coming                        POST    ok     ok     ok     ok     ok     ok     ok     ok
community.new_session                   GET     login  403    ok     ok     ok     403    403    ok
community.new_session                   POST    login  403    bad    bad    bad    403    403    bad
community.edit_session                  GET     login  403    ok     403    ok     403    403    ok
community.edit_session                  POST    login  403    bad    403    bad    403    403    bad
community.kit                           GET     login  403    ok     403    ok     403    403    ok
community.record                        GET     login  403    ok     403    ok     403    403    ok
community.record_attendance             POST    login  403    ok     403    ok     403    403    ok
community.record_tally                  POST    login  403    ok     403    ok     403    403    ok
community.record_comments               GET     login  403    ok     403    ok     403    403    ok
community.record_comments               POST    login  403    bad    403    bad    403    403    bad
community.comment_row                   GET     login  403    ok     403    ok     403    403    ok
community.record_comments_csv           POST    login  403    bad    403    bad    403    403    bad
community.record_survey                 GET     login  403    ok     403    ok     403    403    ok
community.record_survey                 POST    login  403    bad    403    bad    403    403    bad
community.confirm                       POST    login  403    ok     403    ok     403    403    ok
"""

# Rows whose outcome follows authorship (the participant wrote the comment, and was notified),
# not a role: nobody else, not even staff or an admin, may edit or withdraw someone's comment
# or open their notifications.
AUTHOR_ROWS = {("comments.edit", "GET"), ("comments.edit", "POST"), ("comments.withdraw", "POST"),
               ("notifications.go", "GET")}

# Rows about the person's own account, where a staff or board role in any district counts:
# two-step sign-in is for everyone whose account can do more, wherever that is.
ACCOUNT_ROWS = {("twofactor.setup", "GET"), ("twofactor.setup", "POST")}

# URL values for a row, where a row must not act on the objects other rows read (see module
# docstring), or where a parameter means different things on different routes.
TARGETS = {
    # The link that confirms a new email (a bystander's): anyone holding it may confirm, signed in
    # or not (signed out, they are sent to sign in after it).
    ("accounts.confirm_email", "GET"): {"token": "email_token"},
    ("accounts.confirm_email", "POST"): {"token": "email_token"},
    ("notifications.unsubscribe", "GET"): {"token": "unsubscribe_token"},
    ("notifications.unsubscribe", "POST"): {"token": "unsubscribe_token"},
    ("proposals.review", "POST"): {"proposal_id": "spare_proposal_id"},
    ("responselog.publish_entry", "POST"): {"entry_id": "spare_entry_id"},
    ("comments.withdraw", "POST"): {"comment_id": "spare_comment_id"},
    ("community.confirm", "POST"): {"session_id": "spare_session_id"},
    # A form without its fields clears the survey's proposal and dates (the session's paper
    # forms then no longer belong to the session): edit a survey of its own.
    ("surveys.edit", "POST"): {"survey_id": "spare_survey_id"},
    ("export.record_csv", "GET"): {"table": "export_table"},
    ("review.export_csv", "GET"): {"table": "review_table"},
}


def parse_matrix(text: str) -> dict[tuple[str, str], dict[str, str]]:
    matrix: dict[tuple[str, str], dict[str, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        endpoint, method, *cells = line.split()
        assert len(cells) == len(ROLES), f"matrix line {number} ({endpoint} {method}) has {len(cells)} cells"
        assert set(cells) <= OUTCOMES, f"matrix line {number} ({endpoint} {method}): unknown outcome in {cells}"
        assert (endpoint, method) not in matrix, f"matrix line {number}: {endpoint} {method} twice"
        matrix[(endpoint, method)] = dict(zip(ROLES, cells, strict=True))
    return matrix


MATRIX = parse_matrix(MATRIX_TEXT)


def routes(app) -> dict[tuple[str, str], object]:
    """(endpoint, method) -> rule, for every rule but static files."""
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            found[(rule.endpoint, method)] = rule
    return found


def run_order(keys) -> list[tuple[str, str]]:
    """GETs first (they change nothing), then POSTs; signing out last of all."""
    def rank(key):
        return (key == ("accounts.logout", "POST"), key[1] != "GET")

    return sorted(keys, key=rank)  # stable: table order within each group


def outcome(response) -> str:
    status = response.status_code
    if 300 <= status < 400:
        return "login" if urlsplit(response.headers.get("Location", "")).path == "/login" else "ok"
    if 200 <= status < 300:
        return "ok"
    if status == 400 and b"This form has expired" in response.data:
        return "csrf"
    if status in (400, 409, 422):
        return "bad"
    return str(status)


# ---------------------------------------------------------------- the world

def _populate(district, *, staff, author, org_a_facilitators, org_b_facilitators, bystander) -> dict:
    """One district's objects, each the kind a route's URL names; returns the URL values."""
    from codesign.accounts.models import StakeholderGroup, User
    from codesign.comments import service as comments
    from codesign.comments.models import Kind
    from codesign.community import service as community
    from codesign.community.models import SessionMode
    from codesign.db import utcnow
    from codesign.districts.models import Membership
    from codesign.proposals import service as proposals
    from codesign.responselog import service as log
    from codesign.responselog.models import Outcome
    from codesign.surveys import service as surveys
    from codesign.surveys.models import QuestionKind, SurveyAnswer
    from tests.proposals.test_views import CARD

    def user(name):
        return db.session.scalar(sa.select(User).where(User.username == name))

    staff, author = user(staff), user(author)
    now = utcnow()

    def open_proposal(title):
        proposal = proposals.create_proposal(district, staff, dict(CARD, title=title))
        proposals.publish_version(proposal, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=14))
        return proposal

    proposal = open_proposal(f"Attendance dashboard ({district.slug})")
    spare_proposal = open_proposal(f"Bus tracking ({district.slug})")
    version_id = proposal.current_version_id
    proposals.start_revision(proposal, staff)  # a draft for the staff pages that edit and publish one
    never_published = proposals.create_proposal(district, staff, dict(CARD, title="Not yet public"))

    comment = comments.post_comment(proposal, author, kind=Kind.QUESTION, section="general",
                                    body="Who will see my child's absences?", language="en")
    spare_comment = comments.post_comment(proposal, author, kind=Kind.CONCERN, section="general",
                                          body="Three years is too long to keep this.", language="en")

    entry_fields = {"heard": "Families asked who sees the data.", "outcome": Outcome.PARTLY_CHANGED,
                    "reasons": "Only the school's principal will.", "from_version_id": None,
                    "to_version_id": None, "amends_id": None}
    published = log.publish_entry(log.create_entry(proposal, staff, **entry_fields))
    draft_entry = log.create_entry(proposal, staff, **entry_fields)
    spare_entry = log.create_entry(proposal, staff, **entry_fields)

    org_a = community.save_organization(district, None, name=f"Familias Unidas ({district.slug})",
                                        description="Parents helping parents.", languages=["es"], contact="")
    org_b = community.save_organization(district, None, name=f"Parents Circle ({district.slug})",
                                        description="Arabic-speaking parents.", languages=["ar"], contact="")
    for name in org_a_facilitators:
        community.add_facilitator(district, org_a, name)
    for name in org_b_facilitators:
        community.add_facilitator(district, org_b, name)

    def session_in_progress(title):
        """Scheduled ahead, as sessions must be, then under way: its record can be written."""
        starts = now + timedelta(days=3)
        item = community.schedule_session(district, org_a, staff, community.SessionFields(
            title=title, starts_at=starts, ends_at=starts + timedelta(hours=2), mode=SessionMode.IN_PERSON,
            place="Library, room 2", languages=["es"], capacity=40, proposal_ids=[proposal.id]))
        item.starts_at, item.ends_at = now - timedelta(hours=1), now + timedelta(hours=2)
        db.session.commit()
        return item

    session = session_in_progress("Charla en la biblioteca")
    spare_session = session_in_progress("Charla en la escuela")

    survey = surveys.create_survey(district, staff, title="Attendance data survey", intro="Tell us.",
                                   proposal_id=proposal.id, opens_at=now - timedelta(days=1),
                                   closes_at=now + timedelta(days=7))
    question = surveys.add_question(survey, kind=QuestionKind.SHORT_TEXT, prompt="One word for this idea",
                                    required=True, allow_other=False, max_choices=None, options=[])
    surveys.add_question(survey, kind=QuestionKind.LONG_TEXT, prompt="Anything else?", required=False,
                         allow_other=False, max_choices=None, options=[])
    surveys.publish_survey(survey)

    def other_survey(title, publish):
        made = surveys.create_survey(district, staff, title=title, intro="", proposal_id=proposal.id,
                                     opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7))
        surveys.add_question(made, kind=QuestionKind.SCALE, prompt="Useful?", required=False,
                             allow_other=False, max_choices=None, options=[])
        if publish:
            surveys.publish_survey(made)
        return made

    spare_survey = other_survey("Bus survey", publish=True)
    draft_survey = other_survey("Not yet public either", publish=False)
    parsed = surveys.parse_answers(surveys.questions_of(survey), MultiDict({f"q{question.id}": "Careful"}))
    response = surveys.enter_paper_response(survey, staff, parsed, language="en", group=StakeholderGroup.FAMILY)
    answer_id = db.session.scalar(sa.select(SurveyAnswer.id).where(SurveyAnswer.response_id == response.id))

    from codesign.accounts.service import email_confirmation_token
    from codesign.notifications.models import Notification, NotificationKind
    from codesign.notifications.service import unsubscribe_token
    from codesign.recovery.service import reset_link_token

    notice = Notification(user_id=author.id, proposal_id=proposal.id, kind=NotificationKind.DECIDED,
                          subject_id=proposal.id)
    db.session.add(notice)
    db.session.commit()
    bystander_membership = db.session.scalar(sa.select(Membership.id).where(
        Membership.user_id == user(bystander).id, Membership.district_id == district.id))
    return {
        "district_slug": district.slug, "slug": district.slug,
        "proposal_id": proposal.id, "spare_proposal_id": spare_proposal.id, "version_id": version_id,
        "number": 1, "comment_id": comment.id, "spare_comment_id": spare_comment.id,
        "sequence": published.sequence, "entry_id": draft_entry.id, "spare_entry_id": spare_entry.id,
        "organization_id": org_a.id, "session_id": session.id, "spare_session_id": spare_session.id,
        "user_id": user(org_a_facilitators[-1]).id,  # a spare facilitator, not fac_a
        "membership_id": bystander_membership,
        "survey_id": survey.id, "question_id": question.id, "answer_id": answer_id,
        "spare_survey_id": spare_survey.id, "draft_survey_id": draft_survey.id,
        "draft_proposal_id": never_published.id,
        "locale": "es", "kind_name": "organization", "subject_id": org_a.id, "action": "up",
        "export_table": "comments", "review_table": "participation",
        "token": reset_link_token(user(bystander)),
        "notification_id": notice.id,  # the author's
        "email_token": email_confirmation_token(user(bystander), "bystander.new@example.org"),
        "unsubscribe_token": unsubscribe_token(author, "answered"),  # from an email to the author  # a genuine emailed reset link (of someone else)
    }


def build_world(app, make_district, make_user) -> dict[str, dict]:
    """Districts A (alpha) and B (beta) with the roles of ROLES; returns each one's URL values."""
    from codesign.districts.service import get_district

    alpha = make_district(slug="alpha", name="Alpha Unified School District")
    beta = make_district(slug="beta", name="Beta Unified School District")
    make_user("participant", roles={alpha: [Role.PARTICIPANT]})
    make_user("staff_a", roles={alpha: [Role.STAFF]})
    make_user("staff_b", roles={beta: [Role.STAFF]})
    make_user("board_a", roles={alpha: [Role.BOARD]})
    make_user("admin", is_admin=True)
    for name in ("fac_a", "fac_b", "fac_spare", "fac_beta", "fac_beta_spare"):
        make_user(name)  # the facilitator role comes with being added to an organization
    make_user("bystander", roles={alpha: [Role.PARTICIPANT]})
    make_user("author_beta", roles={beta: [Role.PARTICIPANT]})
    make_user("bystander_beta", roles={beta: [Role.PARTICIPANT]})
    with app.app_context():
        world = {
            "alpha": _populate(get_district("alpha"), staff="staff_a", author="participant",
                               org_a_facilitators=("fac_a", "fac_spare"), org_b_facilitators=("fac_b",),
                               bystander="bystander"),
            "beta": _populate(get_district("beta"), staff="staff_b", author="author_beta",
                              org_a_facilitators=("fac_beta", "fac_beta_spare"), org_b_facilitators=(),
                              bystander="bystander_beta"),
        }
        db.session.remove()
    return world


def url_of(rule, values: dict, overrides: dict | None = None) -> str:
    chosen = dict(values)
    for name, key in (overrides or {}).items():
        chosen[name] = values[key]
    return url_for(rule.endpoint, **{name: chosen[name] for name in rule.arguments})


def signed_in_client(app, role: str):
    client = app.test_client()
    if role != "anon":
        Browser(client).sign_in(USERNAMES[role])
    return client, csrf_from(client.get("/privacy"))


def call(client, method: str, url: str, token: str):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token})


# ---------------------------------------------------------------- the tests

def test_every_route_is_in_the_matrix(app):
    present = set(routes(app))
    missing = sorted(present - set(MATRIX))
    stale = sorted(set(MATRIX) - present)
    problems = [f"{endpoint} {method}: route has no row in MATRIX (decide who may use it and add one)"
                for endpoint, method in missing]
    problems += [f"{endpoint} {method}: row in MATRIX but no such route (remove the row)"
                 for endpoint, method in stale]
    problems += [f"{key}: TARGETS names a row that is not in MATRIX" for key in TARGETS if key not in MATRIX]
    assert not problems, "\n".join(problems)


def test_the_policy_in_the_matrix_is_consistent():
    """Properties of the table itself, so a careless row shows up here as well as in the app."""
    problems = []
    for key, row in MATRIX.items():
        if key in AUTHOR_ROWS:
            continue
        if row["staff_b"] != row["part"] and key not in ACCOUNT_ROWS:
            problems.append(f"{key}: staff of district B must be an outsider in district A, like a participant")
        if row["admin"] in ("login", "403"):
            problems.append(f"{key}: platform admins pass every role check")
        if row["anon"] == "403":
            problems.append(f"{key}: guests are sent to sign in, never refused outright")
        if key[0].startswith(("admin.", "audit.")) and any(
                row[role] not in ("login", "403") for role in ROLES if role != "admin"):
            problems.append(f"{key}: administration pages are for platform admins only")
        if row["part"] in ("ok", "bad") and any(row[role] in ("403", "404") for role in ROLES if role != "anon"):
            problems.append(f"{key}: a participant holds no special power: what they may do, everyone signed in may")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says(app, make_district, make_user, role):
    world = build_world(app, make_district, make_user)["alpha"]
    present = routes(app)
    with app.test_request_context():
        urls = {key: url_of(present[key], world, TARGETS.get(key)) for key in MATRIX if key in present}
    client, token = signed_in_client(app, role)
    mismatches = []
    for key in run_order(urls):
        endpoint, method = key
        response = call(client, method, urls[key], token)
        got, expected = outcome(response), MATRIX[key][role]
        if got != expected:
            where = response.headers.get("Location", "")
            mismatches.append(f"{endpoint} {method} {urls[key]}: expected {expected}, got {got} "
                              f"(HTTP {response.status_code}{' -> ' + where if where else ''})")
        response.close()
    assert not mismatches, f"{role}: {len(mismatches)} of {len(urls)} cells differ from the matrix:\n" + "\n".join(
        mismatches)


# Parameters that are numbers within a district, not ids of rows: district B's entry 1 and
# version 1 are district A's entry 1 and version 1 when asked for under A's address.
NOT_IDS = {"sequence", "number"}

# Ids that do not name the object the route is about, but a value the route's service checks
# against that object; the route then answers as for any wrong value, never with a 404.
CHECKED_BY_THE_SERVICE = {
    # The service refuses a version of a proposal the session is not about ("bad_version").
    ("community.record_tally", "POST", "version_id"): "bad",
    # Removes that person from *this* organization of district A; they were never in it.
    ("community.remove_facilitator", "POST", "user_id"): "ok",
    # The form is checked first (empty here, so refused with what was typed kept); with a decision
    # the service refuses an answer of another survey: see
    # test_a_survey_answer_of_district_b_cannot_be_reviewed_from_district_a.
    ("surveys.review_answer", "POST", "answer_id"): "bad",
}


def test_district_b_objects_are_not_found_under_district_a(app, make_district, make_user):
    """An admin passes every role check, so only the district scoping can stop them: every
    object of district B asked for under district A's address is not found, one id at a time."""
    worlds = build_world(app, make_district, make_user)
    alpha, beta = worlds["alpha"], worlds["beta"]
    present = routes(app)
    cases = []
    with app.test_request_context():
        for key, rule in present.items():
            if key not in MATRIX:
                continue  # a route nobody has placed yet: see test_every_route_is_in_the_matrix
            overrides = TARGETS.get(key, {})
            for name in sorted(rule.arguments):
                if not isinstance(alpha.get(overrides.get(name, name)), int) or name in NOT_IDS:
                    continue
                values = dict(alpha)
                values[overrides.get(name, name)] = beta[overrides.get(name, name)]
                cases.append((key, name, url_of(rule, values, overrides)))
    client, token = signed_in_client(app, "admin")
    wrong = []
    for (endpoint, method), name, url in sorted(cases, key=lambda case: case[0][1] != "GET"):
        response = call(client, method, url, token)
        got, expected = outcome(response), CHECKED_BY_THE_SERVICE.get((endpoint, method, name), "404")
        if got != expected:
            wrong.append(f"{endpoint} {method} with district B's {name} ({url}): expected {expected}, got {got} "
                         f"(HTTP {response.status_code})")
        response.close()
    assert len(cases) > 60
    assert not wrong, "\n".join(wrong)


def test_a_survey_answer_of_district_b_cannot_be_reviewed_from_district_a(app, make_district, make_user):
    from codesign.surveys.models import SurveyAnswer, TextReview

    worlds = build_world(app, make_district, make_user)
    alpha, beta = worlds["alpha"], worlds["beta"]
    client, token = signed_in_client(app, "staff_a")
    url = f"/d/alpha/surveys/{alpha['survey_id']}/review/{beta['answer_id']}"
    response = client.post(url, data={"csrf_token": token, "review": "hidden"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(SurveyAnswer, beta["answer_id"]).review == TextReview.PENDING
    # The same request for district A's own answer is what staff do every day.
    client.post(f"/d/alpha/surveys/{alpha['survey_id']}/review/{alpha['answer_id']}",
                data={"csrf_token": token, "review": "hidden"})
    with app.app_context():
        assert db.session.get(SurveyAnswer, alpha["answer_id"]).review == TextReview.HIDDEN


# Roles that hold no staff role in district A (a board member reads much, but not drafts).
NOT_STAFF = ("anon", "part", "fac_a", "board_a", "staff_b")
DRAFTS = {"proposal_id": "draft_proposal_id", "spare_proposal_id": "draft_proposal_id",
          "survey_id": "draft_survey_id", "spare_survey_id": "draft_survey_id"}


def test_unpublished_drafts_are_for_staff_only(app, make_district, make_user):
    """A proposal never published and a survey not yet published: on every route that names
    one, nobody but staff gets past the checks (not found, refused or sent to sign in)."""
    world = build_world(app, make_district, make_user)["alpha"]
    present = routes(app)
    cases = []
    with app.test_request_context():
        for key, rule in present.items():
            if key not in MATRIX:
                continue
            overrides = dict(TARGETS.get(key, {}))
            names = [name for name in rule.arguments if overrides.get(name, name) in DRAFTS]
            if not names:
                continue
            for name in names:
                overrides[name] = DRAFTS[overrides.get(name, name)]
            cases.append((key, url_of(rule, world, overrides)))
    assert len(cases) > 60
    leaks = []
    for role in NOT_STAFF:
        client, token = signed_in_client(app, role)
        for (endpoint, method), url in sorted(cases, key=lambda case: case[0] == ("accounts.logout", "POST")):
            response = call(client, method, url, token)
            if outcome(response) not in ("login", "403", "404"):
                leaks.append(f"{role}: {endpoint} {method} {url}: HTTP {response.status_code}")
            response.close()
    assert not leaks, "\n".join(leaks)
    # The drafts are real: staff of district A find them.
    client, _token = signed_in_client(app, "staff_a")
    assert client.get(f"/d/alpha/proposals/{world['draft_proposal_id']}/").status_code == 200
    assert client.get(f"/d/alpha/surveys/{world['draft_survey_id']}/").status_code == 200
