"""The pseudo-locale test: every page type rendered in a made-up translation in which each
catalog string is transformed (⟦Ŵĥåţ⟧), with dates in Greek. Any plain English word left
on the page, outside people's own content (which carries its own lang), did not go through
the catalog: static template text, form errors, flash messages, emails, error pages, dates."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from codesign.extensions import db
from codesign.translations_tool import TEMPLATE_POT
from tests.conftest import Browser

PSEUDO = "el"  # a locale we do not ship, whose dates are not in Latin letters
ACCENTS = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ")
KEEP = re.compile(r"(%\([a-z_]+\)[sd]|%%|<[^>]+>|&[a-z]+;|\{[^}]*\})")
# Words that are the same in every language: names, formats, codes.
ALLOWED = {"Codesign", "CSV", "JSON", "PDF", "API", "Atom", "HTML", "URL", "SHA", "QR", "A4", "US", "Letter",
           "https", "http", "flask", "app", "codesign", "verify", "log", "file", "json", "riverside"}
WORD = re.compile(r"[A-Za-z]{3,}")


def pseudo(text: str) -> str:
    parts = KEEP.split(text)
    return "⟦" + "".join(part if KEEP.fullmatch(part) else part.translate(ACCENTS) for part in parts) + "⟧"


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pseudo")
    with open(TEMPLATE_POT, "rb") as handle:
        catalog = read_po(handle, locale=PSEUDO)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(pseudo(message.id[1]) for _ in range(catalog.num_plurals))
        else:
            message.string = pseudo(message.id)
    target = folder / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    return str(folder)


class VisibleText(HTMLParser):
    """Text a reader sees, except inside people's own content (an element with another lang),
    scripts, styles, code and <bdi> (names)."""

    # <textarea> holds what a person is writing or editing: their own content.
    SKIP = {"script", "style", "code", "bdi", "title", "textarea"}
    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col", "embed", "param", "track"}

    def __init__(self):
        super().__init__()
        self.page_lang = None
        self.stack: list[bool] = []  # whether each open element is skipped
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.VOID:
            if tag == "input" and attributes.get("type") in ("submit", "button") and not self._skipping():
                self.words += WORD.findall(attributes.get("value") or "")
            return
        lang = attributes.get("lang")
        if tag == "html":
            self.page_lang = lang
            lang = None
        skip = tag in self.SKIP or (lang is not None and lang != self.page_lang)
        self.stack.append(skip or self._skipping())
        for name in ("aria-label", "placeholder", "alt"):
            if attributes.get(name) and not self.stack[-1]:
                self.words += [w for w in WORD.findall(attributes[name])]

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        self.stack.pop()

    def _skipping(self) -> bool:
        return bool(self.stack and self.stack[-1])

    def handle_data(self, data):
        if not self._skipping():
            outside = re.sub(r"⟦[^⟧]*⟧", " ", data)
            self.words += WORD.findall(outside)


def english_words(html: str, where: str = "") -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    assert parser.page_lang == PSEUDO, f"{where} is not in the pseudo-locale: lang={parser.page_lang}\n{html[:300]}"
    return [word for word in parser.words if word not in ALLOWED]


@pytest.fixture
def pseudo_app(other_app, pseudo_translations):
    from codesign.demo import load_demo

    app = other_app(EXTRA_TRANSLATIONS=pseudo_translations, MAIL_BACKEND="memory")
    app.extensions["babel"].locale_selector = lambda: PSEUDO
    with app.app_context():
        load_demo()
        from codesign.search.service import rebuild

        rebuild()
    return app


def ids(app):
    from codesign.community.models import Session
    from codesign.demo_proposals import ATTENDANCE_V1
    from codesign.proposals.models import Proposal, ProposalVersion
    from codesign.surveys.models import Survey, SurveyQuestion

    with app.app_context():
        proposal = db.session.scalar(sa.select(Proposal.id).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
                                     .where(ProposalVersion.title == ATTENDANCE_V1["title"]))
        draft = db.session.scalar(sa.select(Proposal.id).where(Proposal.current_version_id.is_(None)))
        survey = db.session.scalar(sa.select(Survey.id).order_by(Survey.id))
        question = db.session.scalar(sa.select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey))
        session_ids = db.session.scalars(sa.select(Session.id).order_by(Session.id)).all()
        closed = db.session.scalar(sa.select(Survey.id).where(Survey.results_public.is_(True)))
        from codesign.community.models import Organization

        organization = db.session.scalar(sa.select(Organization.id).order_by(Organization.id))
    return proposal, draft, survey, question, session_ids + [closed, organization]


FOUND: dict[str, list[str]] = {}


def check(browser, url, **kwargs):
    """Record English left on the page (tests assert on FOUND at the end, to list every page)."""
    response = (browser.get(url, follow_redirects=True) if not kwargs.get("data")
                else browser.post(url, kwargs["data"], follow_redirects=True))
    leftovers = english_words(response.get_data(as_text=True), url)
    if leftovers:
        FOUND[url] = sorted(set(leftovers))
    return response


def assert_none_found():
    found = dict(FOUND)
    FOUND.clear()
    assert not found, "text that is not from the catalog:\n" + "\n".join(f"{url}: {words[:15]}" for url, words in found.items())


def test_every_page_type_goes_through_the_catalog(pseudo_app):
    proposal, draft, survey, question, sessions = ids(pseudo_app)
    d = "/d/riverside"
    guest = Browser(pseudo_app.test_client())
    public = ["/", "/privacy", "/login", "/register", "/register/under-13", f"{d}/", f"{d}/privacy",
              f"{d}/proposals/{proposal}/", f"{d}/proposals/{proposal}/versions/", f"{d}/proposals/{proposal}/versions/1",
              f"{d}/proposals/{proposal}/changes", f"{d}/proposals/{proposal}/comments/?offset=20",
              f"{d}/log/", f"{d}/log/1", f"{d}/log/verify", f"{d}/proposals/{proposal}/log/",
              f"{d}/surveys/", f"{d}/surveys/{survey}/", f"{d}/surveys/{sessions[-2]}/results", f"{d}/sessions/",
              f"{d}/sessions/{sessions[0]}/", f"{d}/sessions/{sessions[2]}/", f"{d}/organizations/", f"{d}/organizations/{sessions[-1]}/",
              "/nowhere", f"{d}/proposals/999999/",
              f"{d}/search", f"{d}/search?q=attendance", f"{d}/search?q=asistencia&type=bogus&page=2",
              f"{d}/search?q=the", f"{d}/search?q=zzyzx", "/search?q=attendance&type=comment"]
    for url in public:
        check(guest, url)
    staff = Browser(pseudo_app.test_client())
    staff.sign_in("staff", "codesign-demo")
    for url in ["/account", "/account/password", "/account/input", "/account/data/", f"{d}/roles", f"{d}/proposals/new",
                f"{d}/proposals/{draft}/", f"{d}/proposals/{draft}/draft", f"{d}/proposals/{draft}/publish",
                f"{d}/proposals/{proposal}/decide", f"{d}/proposals/{proposal}/log/new",
                f"{d}/surveys/new", f"{d}/surveys/{survey}/edit", f"{d}/surveys/{survey}/translate/es",
                f"{d}/surveys/{survey}/preview/es", f"{d}/surveys/{survey}/paper", f"{d}/surveys/{survey}/review",
                f"{d}/surveys/{survey}/results?by=group", f"{d}/surveys/{survey}/questions/{question}/edit",
                f"{d}/organizations/new", f"{d}/sessions/new", f"{d}/sessions/{sessions[0]}/record",
                f"{d}/sessions/{sessions[0]}/record/comments",
                f"{d}/proposals/{proposal}/review/", f"{d}/reference-shares", f"{d}/translations",
                f"{d}/proposals/{proposal}/translate/ar", f"{d}/translate/session/{sessions[0]}/es"]:
        # (The facilitator kit and the board packet are rendered in the language chosen for them.)
        check(staff, url)
    admin = Browser(pseudo_app.test_client())
    admin.sign_in("admin", "codesign-demo")
    for url in ["/admin/", "/admin/districts/new", "/admin/districts/riverside/edit", "/admin/audit/"]:
        check(admin, url)
    assert_none_found()


def test_errors_and_messages_go_through_the_catalog(pseudo_app):
    proposal, _draft, survey, _question, _sessions = ids(pseudo_app)
    browser = Browser(pseudo_app.test_client())
    # Form errors (WTForms' own messages included) and the page they come back on.
    response = browser.post("/register", {"username": "x", "password": "1", "confirm": "2", "email": "not-an-email"})
    assert response.status_code == 422
    check(browser, "/register", data={"username": "x", "password": "1", "confirm": "2", "email": "bad"})
    check(browser, "/login", data={"login": "nobody", "password": "wrong-password"})
    # A flash message after signing in, and a survey's answer errors.
    browser.sign_in("lucia", "codesign-demo")
    check(browser, "/account")
    check(browser, f"/d/riverside/surveys/{survey}/", data={"q1": "999"})
    check(browser, f"/d/riverside/proposals/{proposal}/comments/", data={"kind": "rant", "body": "x"})
    # The expired-form page.
    guest = pseudo_app.test_client()
    html = guest.post("/login", data={"login": "a", "password": "b"}).get_data(as_text=True)
    assert not english_words(html), english_words(html)
    assert_none_found()


def test_emails_go_through_the_catalog(pseudo_app):
    from codesign.accounts.models import User
    from codesign.mail import outbox
    from codesign.notifications.models import EmailHow
    from codesign.responselog.models import ResponseEntry

    proposal, *_rest = ids(pseudo_app)
    with pseudo_app.app_context():
        lucia = db.session.scalar(sa.select(User).where(User.username == "lucia"))
        lucia.email, lucia.email_answered, lucia.preferred_locale = "lucia@example.net", EmailHow.NOW, PSEUDO
        lucia_id = lucia.id
        db.session.commit()
    from codesign.comments.models import Comment

    with pseudo_app.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id).where(Comment.proposal_id == proposal)
                                       .order_by(Comment.id))
        db.session.execute(sa.update(Comment).where(Comment.id == comment_id).values(author_id=lucia_id))
        db.session.commit()
    staff = Browser(pseudo_app.test_client())
    staff.sign_in("staff", "codesign-demo")
    base = f"/d/riverside/proposals/{proposal}/log/"
    edit = staff.post(base + "new", {"heard": "H", "outcome": "changed", "reasons": "R", "change": "none",
                                     "amends": ""}).headers["Location"]
    staff.post(edit, {"heard": "H", "outcome": "changed", "reasons": "R", "change": "none", "amends": "",
                      "comments": [str(comment_id)]})
    entry_id = int(edit.rstrip("/").split("/")[-2])
    staff.post(base + f"{entry_id}/publish", {}, token_from=base).close()  # sent as the response closes
    with pseudo_app.app_context():
        assert db.session.get(ResponseEntry, entry_id).sequence
        messages = outbox()
    assert messages, "no email was sent"
    message = messages[-1]
    assert not WORD.findall(re.sub(r"⟦[^⟧]*⟧", " ", message["Subject"])), message["Subject"]
    text = message.get_body(("plain",)).get_content()
    body = re.sub(r"⟦[^⟧]*⟧|https?://\S+", " ", text)
    for line in ("H", "R"):  # the entry's own text is content
        body = body.replace(line, " ")
    leftovers = [w for w in WORD.findall(body) if w not in ALLOWED and w != "lucia"]
    assert not leftovers, leftovers
