"""The read-only JSON API: its OpenAPI document is validated against real responses, and
nothing private (drafts, emails, small counts) ever appears."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from codesign.extensions import db
from codesign.proposals.models import Proposal

API = "/api/v1"


def spec_of(client) -> dict:
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def check(spec: dict, template: str, response) -> None:
    """Validate a real response against the schema the document gives for its status."""
    operation = spec["paths"][template]["get"]
    status = str(response.status_code)
    assert status in operation["responses"], f"{template} answered {status}, which is not documented"
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    assert response.mimetype == "application/json"
    validator = OAS31Validator({**schema, "components": spec["components"]},
                               format_checker=OAS31Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert not errors, f"{response.request.url}: {errors[0]}"


def concrete(template: str, proposal_id: int) -> str:
    return API + template.replace("{slug}", "riverside").replace("{proposal_id}", str(proposal_id))


def test_the_document_is_valid_openapi_and_covers_every_route(app, client):
    spec = spec_of(client)
    validate_spec(spec)
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)[len(API):] or "/"
              for rule in app.url_map.iter_rules() if rule.rule.startswith(API)}
    assert routes == set(spec["paths"])
    assert spec["servers"][0]["url"] == "http://localhost/api/v1"


def test_every_response_matches_the_document(client, demo):
    published, _drafts = demo
    spec = spec_of(client)
    seen = 0
    for template, item in spec["paths"].items():
        declared = {p["name"]: p for p in item["get"]["parameters"] if p["in"] == "query"}
        for proposal_id in published:
            url = concrete(template, proposal_id)
            check(spec, template, client.get(url))
            seen += 1
            if "page" in declared:
                check(spec, template, client.get(url + "?page=2&per_page=1"))
                check(spec, template, client.get(url + "?page=999"))
            for name, parameter in declared.items():
                for value in parameter["schema"].get("enum", []):
                    check(spec, template, client.get(f"{url}?{name}={value}"))
            # A forged page size or filter is a documented 400 that names the parameter.
            bad = client.get(url + "?per_page=1000" if "per_page" in declared else url + "?per_page=1")
            assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "per_page"
            check(spec, template, bad)
            if "{proposal_id}" not in template:
                break
        if "{slug}" in template:
            missing = client.get(API + template.replace("{slug}", "nowhere").replace("{proposal_id}", "1"))
            assert missing.status_code == 404
            check(spec, template, missing)
    assert seen > len(spec["paths"])


def test_declared_parameters_are_exactly_the_accepted_ones(client, demo):
    published, _drafts = demo
    spec = spec_of(client)
    for template, item in spec["paths"].items():
        declared = sorted(p["name"] for p in item["get"]["parameters"] if p["in"] == "query")
        response = client.get(concrete(template, published[0]) + "?colour=red")
        assert response.status_code == 400, template
        error = response.get_json()["error"]
        assert error["parameter"] == "colour" and error["allowed"] == declared, template


def test_lists_page_through_everything_once(client, demo):
    published, _drafts = demo
    url = f"{API}/districts/riverside/proposals/{published[0]}/comments?per_page=7"
    ids, pages = [], 0
    while url:
        body = client.get(url).get_json()
        ids += [c["id"] for c in body["data"]]
        url = body["pagination"]["next"]
        pages += 1
    assert len(ids) == len(set(ids)) == body["pagination"]["total"] and pages == body["pagination"]["pages"]
    assert ids == sorted(ids)


@pytest.mark.parametrize("query", ["", "kind=concern", "section=retention&language=es", "group=family&kind=question",
                                   "kind=support&group=educator", "version=1&kind=concern"])
def test_list_totals_count_what_the_filters_match(client, demo, query):
    published, _drafts = demo
    url = f"{API}/districts/riverside/proposals/{published[0]}/comments?per_page=30&{query}"
    filters = dict(pair.split("=") for pair in query.split("&") if pair)
    names = {"kind": "kind", "section": "section", "group": "stakeholder_group", "language": "language"}
    everything, total = _every_item(client, f"{API}/districts/riverside/proposals/{published[0]}/comments")
    assert total == len(everything) > 100
    expected = [c["id"] for c in everything
                if all(str(c[names[k]]) == v for k, v in filters.items() if k in names)
                and ("version" not in filters or c["version"] == int(filters["version"]))]
    found, total = _every_item(client, url)
    assert [c["id"] for c in found] == expected and total == len(expected)
    assert not filters or len(expected) < len(everything)


def _every_item(client, url: str) -> tuple[list[dict], int]:
    """Every item of a paged list, and the total its first page announced."""
    items, total = [], None
    while url:
        body = client.get(url).get_json()
        items += body["data"]
        total = body["pagination"]["total"] if total is None else total
        url = body["pagination"]["next"]
    return items, total


def _all_json(client, published) -> list[str]:
    """Every API address, for every published proposal, with lists at their largest page size."""
    bodies = []
    for template, item in spec_of(client)["paths"].items():
        paged = any(p["name"] == "per_page" for p in item["get"]["parameters"])
        for proposal_id in published:
            url = concrete(template, proposal_id) + ("?per_page=100" if paged else "")
            bodies.append(client.get(url).get_data(as_text=True))
    return bodies


def test_drafts_emails_and_names_never_appear(app, client, demo):
    published, drafts = demo
    from codesign.demo import DEMO_PEOPLE

    listed = client.get(f"{API}/districts/riverside/proposals?per_page=100").get_json()
    assert sorted(p["id"] for p in listed["data"]) == published
    for draft in drafts:
        for suffix in ("", "/versions", "/comments", "/tallies"):
            assert client.get(f"{API}/districts/riverside/proposals/{draft}{suffix}").status_code == 404
        assert client.get(f"{API}/districts/riverside/log?proposal={draft}").status_code == 404
    text = "\n".join(_all_json(client, published))
    for _username, _group, _locale, email, *_rest in DEMO_PEOPLE:
        if email:
            assert email not in text
    assert "privacy@" not in text and '"author' not in text and '"user' not in text


def _counts(value):
    if isinstance(value, dict):
        if set(value) == {"value", "suppressed"}:
            yield value
        else:
            for item in value.values():
                yield from _counts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _counts(item)


def test_no_count_of_people_below_the_threshold(client, demo):
    published, _drafts = demo
    seen = 0
    for proposal_id in published:
        for url in (f"/districts/riverside/proposals/{proposal_id}/tallies",
                    f"/districts/riverside/proposals/{proposal_id}/comments?per_page=100",
                    f"/districts/riverside/log?proposal={proposal_id}"):
            for shown in _counts(client.get(API + url).get_json()):
                seen += 1
                assert shown["value"] is None or shown["value"] == 0 or shown["value"] >= 10, url
                assert (shown["value"] is None) == (shown["suppressed"] is not None)
    assert seen > 100


def test_log_entries_carry_their_hashes_and_verify(client, demo):
    from codesign.responselog.service import verify_records

    district = client.get(f"{API}/districts/riverside").get_json()
    body = client.get(f"{API}/districts/riverside/log?per_page=100").get_json()
    assert body["data"] and body["chain_head"] == district["chain_head"] == body["data"][-1]["entry_hash"]
    result = verify_records(body["data"])
    assert result.ok and result.head == body["chain_head"]


@pytest.mark.parametrize("query, parameter", [
    ("per_page=0", "per_page"), ("per_page=101", "per_page"), ("per_page=-5", "per_page"),
    ("page=abc", "page"), ("page=1&page=2", "page"), ("kind=rant", "kind"), ("language=xx", "language"),
    ("version=0", "version"), ("section=grades", "section"), ("group=parents", "group"),
])
def test_forged_page_sizes_and_filters_are_a_clear_400(client, demo, query, parameter):
    published, _drafts = demo
    response = client.get(f"{API}/districts/riverside/proposals/{published[0]}/comments?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and error["code"] == "bad_parameter" and parameter in error["message"]


def test_errors_speak_the_callers_language(client, demo):
    response = client.get(f"{API}/districts/riverside/proposals?per_page=0", headers={"Accept-Language": "es"})
    assert "per_page" in response.get_json()["error"]["message"]
    assert "número entero" in response.get_json()["error"]["message"]
    assert "publicado" in client.get(f"{API}/nowhere", headers={"Accept-Language": "es"}).get_json()["error"]["message"]


def test_the_api_only_reads(client, demo):
    response = client.post(f"{API}/districts")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"


def test_rate_limited_with_a_json_answer(other_app):
    limited = other_app(API_RATE_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX="api-limit-" + str(id(other_app)))
    client = limited.test_client()
    statuses = [client.get(f"{API}/districts").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    body = client.get(f"{API}/districts").get_json()
    assert body["error"]["code"] == "rate_limited"


def test_anyone_may_read_it_from_another_site(client, demo):
    response = client.get(f"{API}/districts")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers


def test_a_page_costs_the_same_queries_at_any_size(app, client, make_open_proposal, make_user, count_queries):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments.service import post_comment
    from codesign.responselog.models import Outcome
    from codesign.responselog.service import create_entry, link_comments, publish_entry

    proposal_id = make_open_proposal()
    make_user("lucia")

    def add(n):
        with app.app_context():
            proposal = db.session.get(Proposal, proposal_id)
            lucia = find_user_by_login("lucia")
            ids = [post_comment(proposal, lucia, kind="concern", section="retention", body=f"Worry {k}",
                                language="es").id for k in range(n)]
            for start in range(0, n, 2):
                entry = create_entry(proposal, None, heard="We heard", outcome=Outcome.CHANGED, reasons="Because",
                                     from_version_id=None, to_version_id=None, amends_id=None)
                link_comments(entry, ids[start:start + 2])
                publish_entry(entry)

    urls = [f"{API}/districts/riverside/proposals/{proposal_id}/comments?per_page=100",
            f"{API}/districts/riverside/log?per_page=100",
            f"{API}/districts/riverside/proposals/{proposal_id}/tallies",
            f"/d/riverside/proposals/{proposal_id}/record.json"]

    def cost():
        costs = []
        for url in urls:
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            costs.append(counter["n"])
        return costs

    add(4)
    small = cost()
    add(40)
    assert cost() == small


def test_links_are_absolute_and_stay_inside_the_api(client, demo):
    body = client.get(f"{API}/districts/riverside/proposals").get_json()
    for proposal in body["data"]:
        for key in ("url", "versions_url", "comments_url", "tallies_url", "log_url"):
            link = urlsplit(proposal[key])
            assert link.netloc == "localhost" and link.path.startswith(API)
            assert client.get(proposal[key][len("http://localhost"):]).status_code == 200
    assert json.loads(client.get(API + "/").get_data())["openapi_url"].endswith("/openapi.json")
