"""Bad input, in a real browser, on every form the crawl reaches: each page type (one address
per type, opened by the first role that reaches it, as in test_every_page) has each of its
POST forms with somewhere to type submitted twice, once with every typed field emptied and once
with hostile text from the injection corpus in every typed field. Both in English with
JavaScript off and in Arabic with JavaScript on (htmx), on a 360 px phone. After each:

- no server error, no dialog (nothing typed ran), axe-core's WCAG 2.1 A and AA rules pass;
- if the page says something is wrong, it says it to screen readers: every field error is tied
  by aria-describedby to its field, a field marked invalid points at its error, focus has moved
  to the error summary (or to the first invalid field) — with and without JavaScript — and the
  summary's links go to the fields;
- nothing typed is lost: the page that asks for a correction still holds the text typed;
- the page that came back is valid HTML (the Nu HTML Checker, with test_html_valid's set-up).
"""
from __future__ import annotations

import time

import pytest

from tests.browser.conftest import axe_check, scripted_tab, sign_in
from tests.browser.test_every_page import _page_types
from tests.test_html_valid import check_html, required_jar

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def vnu():
    return required_jar()

# Hostile text typed into each field: markup, an attribute break-out, a template, SQL, a
# right-to-left override, other scripts (one line, no surrounding spaces: what comes back in the
# field must be exactly what was typed).
HOSTILE = ("<script>alert(1)</script><img src=x onerror=alert(2)> \" onmouseover=\"alert(3) "
           "{{7*7}} '; DROP TABLE comment; -- \u202ecod.exe مرحبا 你好 </textarea><b>x</b>")
TYPED = ("input:not([type]), input[type=text], input[type=email], input[type=password], input[type=url], "
         "input[type=search], input[type=tel], input[type=number], input[type=datetime-local], "
         "input[type=date], textarea")
ERRORS_SHOWN = ".field-error, .form-errors, .flash--error, [aria-invalid='true']"

# Forms with somewhere to type, as the page has them: [index among the page's POST forms].
FORMS = """() => [...document.querySelectorAll('form')].map((form, index) => ({index,
    post: (form.getAttribute('method') || '').toLowerCase() === 'post' || form.hasAttribute('data-hx-post'),
    typed: [...form.querySelectorAll(`%s`)].filter(el => !el.disabled && !el.closest('fieldset[disabled]')
        && el.getClientRects().length).length,
    action: form.getAttribute('action') || location.pathname}))
    .filter(f => f.post && f.typed)""" % TYPED

# What a screen reader is given about the errors on the page, and where focus is.
ANNOUNCED = """() => {
  const problems = [];
  const described = new Map();
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\\s+/)) {
      if (!document.getElementById(id)) problems.push('aria-describedby names a missing #' + id);
      described.set(id, el);
    }
  }
  for (const error of document.querySelectorAll('.field-error')) {
    const by = error.id && described.get(error.id);
    if (!by) { problems.push('field error not tied to its field: ' + error.textContent.trim().slice(0, 80)); continue; }
    const controls = by.matches('input, select, textarea') ? [by] : [...by.querySelectorAll('input, select, textarea')];
    if (!by.matches('fieldset') && !controls.every(c => c.getAttribute('aria-invalid') === 'true'))
      problems.push('field with an error not marked aria-invalid: ' + (by.name || by.id));
  }
  for (const el of document.querySelectorAll('[aria-invalid="true"]')) {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    const group = el.closest('fieldset[aria-describedby]');
    if (!ids.some(id => document.getElementById(id)?.matches('.field-error, .form-errors, [role=alert]')) && !group)
      problems.push('invalid field without its error: ' + (el.name || el.id));
  }
  for (const link of document.querySelectorAll('.form-errors a[href^="#"]')) {
    if (!document.getElementById(link.getAttribute('href').slice(1)))
      problems.push('error summary links to a missing ' + link.getAttribute('href'));
  }
  const active = document.activeElement;
  const focus = !active || active === document.body ? null
    : active.matches('[aria-invalid="true"]') || active.closest('.form-errors, .flash--error, [role=alert]')
      ? 'error' : (active.name || active.id || active.tagName);
  return {problems, focus, shown: !!document.querySelector(`%s`)};
}""" % ERRORS_SHOWN

# A form folded away in a <details> is opened first, as a person would.
OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"

# What is in each typed field of a form now, by name.
VALUES = """form => Object.fromEntries([...form.querySelectorAll(`%s`)]
    .filter(el => el.name).map(el => [el.name, el.value]))""" % TYPED


@pytest.mark.long  # minutes: started first (tests/conftest.py)
@pytest.mark.parametrize("locale, javascript", [("en", False), ("ar", True)], ids=["en-nojs", "ar-js"])
def test_every_form_with_bad_input_says_what_is_wrong_accessibly(app, demo_data, chromium, live_server, vnu, tmp_path,
                                                                  locale, javascript):
    pages = _page_types(app)
    checked: list[str] = []
    documents: dict[str, str] = {}  # (the pages that came back without JavaScript)
    problems = _submit_every_form(chromium, live_server, pages, locale, javascript, checked, documents)
    assert len(checked) > 40, checked  # (the forms found: if the crawl found none, nothing was tested)
    if documents:
        problems += [f"HTML: {error}" for error in check_html(vnu, documents, tmp_path)]
    assert javascript or documents, "no page came back to check as HTML"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def _fill(form, mode: str, locale: str) -> dict[str, str]:
    """Empty every field there is to type in, or type hostile text into it; return what went in."""
    typed = {}
    fields = form.locator(TYPED)
    for index in range(fields.count()):
        field = fields.nth(index)
        if not field.is_visible() or not field.is_enabled():
            continue
        kind = field.get_attribute("type") or ("textarea" if field.evaluate("el => el.tagName") == "TEXTAREA" else "text")
        if mode == "empty":
            value = ""
        elif kind == "number":
            value = "-1"
        elif kind in ("datetime-local", "date"):
            continue  # (a browser sends only a well-formed date; empty is the bad one)
        else:
            value = HOSTILE if locale == "en" else HOSTILE.replace("alert", "تنبيه")
            maximum = field.get_attribute("maxlength")
            if maximum and maximum.isdigit():
                value = value[: int(maximum)]
        field.fill(value)
        name = field.get_attribute("name")
        if name and kind not in ("password", "number"):
            typed[name] = value
    return typed


def _submit(page, form, javascript: bool):
    """Press the form's main button; wait until the answer is on the page."""
    buttons = form.locator("button[type=submit]:not([name=more]), button:not([type]):not([name=more]), input[type=submit]")
    button = buttons.locator("xpath=self::*[contains(@class, 'primary')]").first if form.locator(".primary").count() else buttons.first
    if not javascript:
        with page.expect_navigation() as navigation:
            button.click()
        return navigation.value
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        button.click()
    for _ in range(100):
        if page.evaluate("!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"):
            break
        time.sleep(0.05)
    return posted.value


def _focus_settled(page) -> dict:
    """Where focus is, once the browser has moved it to an autofocus element (if any)."""
    for _ in range(20):
        state = page.evaluate(ANNOUNCED)
        if state["focus"] or not state["shown"]:
            return state
        time.sleep(0.05)
    return state


def _submit_every_form(chromium, live_server, pages, locale, javascript, checked, documents) -> list[str]:
    problems: list[str] = []
    by_role: dict = {}
    for role, url in pages:
        by_role.setdefault(role, []).append(url)
    dialogs: list[str] = []
    for role, urls in by_role.items():
        context = chromium.new_context(viewport={"width": 360, "height": 740}, base_url=live_server,
                                       java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        scripted = scripted_tab(chromium, live_server, {"width": 360, "height": 740}, "/d/riverside/")
        if role:
            sign_in(page, role, "codesign-demo")
        page.goto("/d/riverside/")
        with page.expect_navigation() if not javascript else _nothing():
            page.locator(f".language-switcher button[value='{locale}']").click()
        page.wait_for_selector(f"html[lang='{locale}']")
        for url in urls:
            response = page.goto(url)
            page.evaluate(OPEN_DETAILS)
            if response is None or response.status >= 400 or page.url.endswith("/login") and not url.startswith("/login"):
                continue
            for form_info in page.evaluate(FORMS):
                if "/logout" in form_info["action"] or "/language" in form_info["action"]:
                    continue
                for mode in ("empty", "hostile"):
                    page.goto(url)
                    page.evaluate(OPEN_DETAILS)
                    form = page.locator("form").nth(form_info["index"])
                    typed = _fill(form, mode, locale)
                    where = f"{form_info['action']} ({mode}) from {url} as {role or 'a visitor'} in {locale}" + (
                        " with JavaScript" if javascript else "")
                    checked.append(where)
                    answer = _submit(page, form, javascript)
                    found = []
                    if answer is None or answer.status >= 500:
                        found.append(f"status {answer.status if answer else None}")
                    if dialogs:
                        found.append(f"a dialog opened: {dialogs}")
                        dialogs.clear()
                    state = _focus_settled(page)
                    found += state["problems"]
                    if state["shown"] and state["focus"] != "error":
                        found.append(f"errors shown but focus is on {state['focus']}")
                    if state["shown"] and mode == "hostile":
                        now = page.locator("form").nth(form_info["index"]).evaluate(VALUES)
                        lost = [name for name, value in typed.items() if name in now and now[name] != value]
                        if lost:
                            found.append(f"what was typed is lost from {lost}")
                    target = page
                    if not javascript:
                        scripted.set_content(page.content())
                        target = scripted
                        if answer is not None and "text/html" in answer.headers.get("content-type", ""):
                            documents[f"{where} → {page.url}"] = answer.text()
                    results = axe_check(target)
                    if results.violations_count:
                        found.append("axe: " + results.generate_report()[:1200])
                    problems += [f"{where}: {item}" for item in found]
        scripted.context.close()
        context.close()
    return problems


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
