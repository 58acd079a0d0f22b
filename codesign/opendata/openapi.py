"""The OpenAPI 3.1 document of /api/v1/. Every object is closed (no undocumented fields), so
the test that validates real responses against it also catches a field that leaks."""
from __future__ import annotations

from codesign.accounts.models import StakeholderGroup
from codesign.comments.models import (
    Channel,
    Disposition,
    HideCategory,
    Kind,
    Moderation,
)
from codesign.i18n import CONTENT_LANGUAGES
from codesign.proposals.models import DATA_CARD_FIELDS, Decision
from codesign.responselog.models import Outcome
from codesign.votes.models import Stance


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required: list[str] | None = None, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False,
              "required": list(properties) if required is None else required}
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _values(enum) -> list[str]:
    return [str(member) for member in enum]


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
URL = {"type": "string", "format": "uri"}
TIME = _nullable({"type": "string", "format": "date-time"})
HASH = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
GROUPS = _values(StakeholderGroup)
STANCES = _values(Stance)


def _per(keys: list[str], schema: dict) -> dict:
    return _obj({key: schema for key in keys})


SCHEMAS = {
    "Error": _obj({"error": _obj({
        "status": INTEGER, "code": STRING, "message": STRING,
        "parameter": STRING, "allowed": {"type": "array", "items": STRING},
    }, required=["status", "code", "message"])}),
    "Count": _obj({
        "value": _nullable({"type": "integer", "minimum": 0}),
        "suppressed": _nullable({"enum": ["below_threshold", "complementary"]}),
    }, description="A count of people. Counts below the district's suppression threshold are not "
                   "shown (below_threshold); others are hidden so that a small count cannot be worked "
                   "out by subtraction (complementary)."),
    "Pagination": _obj({
        "page": INTEGER, "per_page": INTEGER, "total": INTEGER, "pages": INTEGER,
        "next": _nullable(URL), "previous": _nullable(URL),
    }),
    "District": _obj({
        "slug": STRING, "name": STRING, "languages": {"type": "array", "items": STRING},
        "default_language": STRING, "timezone": STRING, "suppression_threshold": {"type": "integer", "minimum": 1},
        "url": URL, "html_url": URL,
    }),
    "Proposal": _obj({
        "id": INTEGER, "district": STRING, "status": {"enum": ["open", "review", "decided"]},
        "title": STRING, "summary": STRING, "current_version": {"type": "integer", "minimum": 1},
        "comment_opens_at": TIME, "comment_closes_at": TIME,
        "decision": _nullable({"enum": _values(Decision)}), "decision_note": STRING,
        "board_meeting_on": _nullable({"type": "string", "format": "date"}),
        "open_comments_at_decision": _nullable(INTEGER),
        "url": URL, "versions_url": URL, "comments_url": URL, "tallies_url": URL, "log_url": URL, "html_url": URL,
    }),
    "Version": _obj({
        "number": {"type": "integer", "minimum": 1}, "title": STRING, "summary": STRING,
        "body": {"type": "string", "description": "Markdown"},
        "data_card": _per([name for name, _label in DATA_CARD_FIELDS], STRING),
        "what_changed": STRING, "published_at": TIME,
    }),
    "Comment": _obj({
        "id": INTEGER, "proposal_id": INTEGER, "parent_id": _nullable(INTEGER),
        "version": _nullable(INTEGER), "kind": {"enum": _values(Kind)},
        "section": {"enum": ["general", *[name for name, _label in DATA_CARD_FIELDS]]},
        "stakeholder_group": {"enum": GROUPS}, "language": {"enum": list(CONTENT_LANGUAGES)},
        "channel": {"enum": _values(Channel)},
        "session_id": {**_nullable(INTEGER), "description": "The community session that brought it in"},
        "body": {"type": "string", "description": "Empty when the author withdrew the comment, or while it is "
                                                  "held for or hidden by the district's moderators."},
        "withdrawn": {"type": "boolean"},
        "moderation": {"enum": _values(Moderation), "description": "held: waiting for a moderator because it "
                                                                  "seemed to contain personal information"},
        "hidden_category": {**_nullable({"enum": _values(HideCategory)}), "description": "Why moderators hid it"},
        "redaction_category": {**_nullable({"enum": _values(HideCategory)}),
                               "description": "Why moderators removed part of it (shown as ████)"},
        "created_at": TIME, "edited_at": TIME,
        "me_too": _ref("Count"), "official_answer": STRING, "answered_at": TIME,
        "disposition": {"enum": _values(Disposition)}, "answered_in_entry": _nullable(INTEGER),
        "html_url": URL,
    }, description="A comment's public fields: never its author, only their stakeholder group."),
    "Tallies": _obj({
        "proposal_id": INTEGER, "suppression_threshold": INTEGER,
        "votes": {"type": "array", "items": _obj({
            "version": INTEGER, "total": _ref("Count"), "by_stance": _per(STANCES, _ref("Count")),
            "by_group": _per(GROUPS, _obj({"total": _ref("Count"), "by_stance": _per(STANCES, _ref("Count"))})),
        })},
        "comments": _obj({
            "total": INTEGER, "by_kind": _per(_values(Kind), INTEGER),
            "people": _ref("Count"), "people_by_group": _per(GROUPS, _ref("Count")),
        }),
    }),
    "LogEntry": _obj({
        "district_id": INTEGER, "sequence": {"type": "integer", "minimum": 1}, "proposal_id": INTEGER,
        "heard": STRING, "outcome": {"enum": _values(Outcome)}, "reasons": STRING,
        "from_version_id": _nullable(INTEGER), "to_version_id": _nullable(INTEGER),
        "changed_fields": {"type": "string", "description": "Space-separated names of the fields that changed"},
        "amends_sequence": _nullable(INTEGER), "comment_ids": {"type": "array", "items": INTEGER},
        "question_ids": {"type": "array", "items": INTEGER, "description": "Survey questions the entry answers"},
        "published_at": {"type": "string", "format": "date-time"},
        "previous_hash": HASH, "entry_hash": HASH,
        "from_version": _nullable(INTEGER), "to_version": _nullable(INTEGER),
        "corrected_by": {"type": "array", "items": INTEGER},
        "people_answered": _ref("Count"), "people_answered_by_group": _per(GROUPS, _ref("Count")),
        "people_answered_by_channel": _per(_values(Channel), _ref("Count")),
        "contests": _ref("Count"), "html_url": URL,
    }, description="A published response-log entry. entry_hash is SHA-256 over the canonical JSON "
                   "(sorted keys, no spaces, UTF-8) of the fields from district_id to previous_hash, and of "
                   "question_ids when it is not empty; "
                   "previous_hash is the entry before it in the district's chain (64 zeros for the first)."),
}


def _list_of(schema: str, *, paginated: bool = True, extra: dict | None = None) -> dict:
    properties = dict(extra or {})
    properties["data"] = {"type": "array", "items": _ref(schema)}
    if paginated:
        properties["pagination"] = _ref("Pagination")
    return _obj(properties)


PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]
SLUG = {"name": "slug", "in": "path", "required": True, "schema": STRING}
PROPOSAL_ID = {"name": "proposal_id", "in": "path", "required": True, "schema": INTEGER}


def _query(name: str, schema: dict, description: str = "") -> dict:
    parameter = {"name": name, "in": "query", "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def _get(summary: str, schema: dict, parameters: list | None = None, *, not_found: bool = True) -> dict:
    responses = {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
        "400": {"description": "A query parameter is unknown, repeated or malformed",
                "content": {"application/json": {"schema": _ref("Error")}}},
        "429": {"description": "Rate limited", "content": {"application/json": {"schema": _ref("Error")}}},
    }
    if not_found:
        responses["404"] = {"description": "No such district or published proposal",
                            "content": {"application/json": {"schema": _ref("Error")}}}
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": responses}}


def openapi_document(server_url: str) -> dict:
    """The API's OpenAPI 3.1 document, with this server's address."""
    chain_head = _nullable(HASH)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Codesign open data API",
            "version": "1",
            "description": "Read-only public record of proposals, input and response logs. Counts of "
                           "people are suppressed below each district's threshold; no names or emails.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/": _get("Where to start", _obj({"openapi_url": URL, "districts_url": URL}), not_found=False),
            "/openapi.json": _get("This document", {"type": "object"}, not_found=False),
            "/districts": _get("Districts", _list_of("District"), PAGE_PARAMS, not_found=False),
            "/districts/{slug}": _get("A district", _obj({
                **SCHEMAS["District"]["properties"], "chain_head": chain_head,
                "proposals_url": URL, "log_url": URL,
            }), [SLUG]),
            "/districts/{slug}/proposals": _get("A district's published proposals, newest first", _list_of("Proposal"), [
                SLUG, *PAGE_PARAMS, _query("status", {"enum": ["open", "review", "decided"]}),
            ]),
            "/districts/{slug}/proposals/{proposal_id}": _get("A published proposal", _ref("Proposal"), [SLUG, PROPOSAL_ID]),
            "/districts/{slug}/proposals/{proposal_id}/versions": _get(
                "Every published version", _list_of("Version", paginated=False), [SLUG, PROPOSAL_ID]),
            "/districts/{slug}/proposals/{proposal_id}/comments": _get("Comments and replies, oldest first", _list_of("Comment"), [
                SLUG, PROPOSAL_ID, *PAGE_PARAMS,
                _query("kind", {"enum": _values(Kind)}),
                _query("section", {"enum": ["general", *[name for name, _label in DATA_CARD_FIELDS]]}),
                _query("group", {"enum": GROUPS}),
                _query("language", {"enum": list(CONTENT_LANGUAGES)}),
                _query("version", {"type": "integer", "minimum": 1}, "Only comments made on this version"),
            ]),
            "/districts/{slug}/proposals/{proposal_id}/tallies": _get(
                "Votes per version and comment counts, suppressed", _ref("Tallies"), [SLUG, PROPOSAL_ID]),
            "/districts/{slug}/log": _get("The district's published response log, in chain order", _list_of(
                "LogEntry", extra={"chain_head": chain_head}), [
                SLUG, *PAGE_PARAMS, _query("proposal", {"type": "integer", "minimum": 1}, "Only this proposal's entries"),
            ]),
        },
        "components": {"schemas": SCHEMAS},
    }
