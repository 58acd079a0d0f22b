"""Comment counters, kept by the database in the same transaction as every change to a comment.

Counting the comments of a proposal with a quarter of a million of them takes a scan of every one
(over 100 ms each on PostgreSQL, several per page). Instead, triggers on `comment` keep:

- `comment_count`: comments per combination of proposal, kind, section, stakeholder group,
  language, channel, disposition, moderation state, hidden category, reply or not, withdrawn or
  not. Any count of comments by those properties is a sum over a few hundred rows at most.
- `comment_person` / `comment_people`: distinct people (see `person_key`) per proposal and
  stakeholder group, and per proposal and channel.

Triggers rather than application hooks, so that nothing can change a comment behind the
counters' back: bulk UPDATEs (publishing a log entry settles many comments at once, erasing an
account changes who its comments count as), COPY, cascades and hand-written SQL all count.
`recount()` rebuilds them from the comments (for bulk loads with the triggers off, and the
migration that introduced them); `recounted()` is what the tests compare the counters with.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from codesign.comments.models import (
    Comment,
    CommentCount,
    CommentPeople,
    CommentPerson,
    person_key,
)

# comment_count's key: (its column, the expression on a comment row; {r} is NEW or OLD).
COUNT_KEY = [
    ("proposal_id", "{r}.proposal_id"), ("kind", "{r}.kind"), ("section", "{r}.section"),
    ("stakeholder_group", "{r}.stakeholder_group"), ("language", "{r}.language"), ("channel", "{r}.channel"),
    ("disposition", "{r}.disposition"), ("moderation", "{r}.moderation"),
    ("hidden_category", "coalesce({r}.hidden_category, '')"), ("reply", "{r}.parent_id IS NOT NULL"),
    ("withdrawn", "{r}.withdrawn_at IS NOT NULL"),
]
# People are counted per value of these dimensions (dimension name, comment column).
PEOPLE_DIMENSIONS = [("group", "stakeholder_group"), ("channel", "channel")]
PERSON = "coalesce({r}.author_id, -{r}.id)"
# What a comment counts as, for each table: when an UPDATE changes none of these, nothing moves.
COUNT_COLUMNS = ["proposal_id", "kind", "section", "stakeholder_group", "language", "channel", "disposition",
                 "moderation", "hidden_category", "parent_id", "withdrawn_at"]
PEOPLE_COLUMNS = ["proposal_id", "author_id", "stakeholder_group", "channel"]


def _changed(columns: list[str]) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def _key_match(table: str, key: list[tuple[str, str]], row: str) -> str:
    return " AND ".join(f"{table}.{column} = ({expression.format(r=row)})" for column, expression in key)


def _sqlite_add(row: str) -> list[str]:
    columns = ", ".join(column for column, _e in COUNT_KEY)
    values = ", ".join(expression.format(r=row) for _c, expression in COUNT_KEY)
    statements = [f"INSERT INTO comment_count ({columns}, comments) VALUES ({values}, 1) "
                  f"ON CONFLICT ({columns}) DO UPDATE SET comments = comments + 1"]
    person = PERSON.format(r=row)
    for dimension, column in PEOPLE_DIMENSIONS:
        value = f"{row}.{column}"
        statements += [
            # A person new to this value: one more person (SQLite has one writer at a time, so
            # looking before writing cannot race).
            "INSERT INTO comment_people (proposal_id, dimension, value, people) "
            f"SELECT {row}.proposal_id, '{dimension}', {value}, 1 WHERE NOT EXISTS (SELECT 1 FROM comment_person "
            f"WHERE proposal_id = {row}.proposal_id AND dimension = '{dimension}' AND value = {value} "
            f"AND person = {person}) "
            "ON CONFLICT (proposal_id, dimension, value) DO UPDATE SET people = people + 1",
            "INSERT INTO comment_person (proposal_id, dimension, value, person, comments) "
            f"VALUES ({row}.proposal_id, '{dimension}', {value}, {person}, 1) "
            "ON CONFLICT (proposal_id, dimension, value, person) DO UPDATE SET comments = comments + 1",
        ]
    return statements


def _sqlite_remove_count(row: str) -> list[str]:
    match = _key_match("comment_count", COUNT_KEY, row)
    return [f"UPDATE comment_count SET comments = comments - 1 WHERE {match}",
            f"DELETE FROM comment_count WHERE {match} AND comments <= 0"]


def _sqlite_remove_people(row: str) -> list[str]:
    statements = []
    person = PERSON.format(r=row)
    for dimension, column in PEOPLE_DIMENSIONS:
        key = (f"proposal_id = {row}.proposal_id AND dimension = '{dimension}' "
               f"AND value = {row}.{column}")
        statements += [
            f"UPDATE comment_person SET comments = comments - 1 WHERE {key} AND person = {person}",
            # Their last comment under this value: one person fewer.
            f"UPDATE comment_people SET people = people - 1 WHERE {key} AND EXISTS (SELECT 1 FROM comment_person "
            f"WHERE {key} AND person = {person} AND comments <= 0)",
            f"DELETE FROM comment_person WHERE {key} AND person = {person} AND comments <= 0",
            f"DELETE FROM comment_people WHERE {key} AND people <= 0",
        ]
    return statements


def _sqlite_trigger(name: str, event: str, when: str, statements: list[str]) -> str:
    body = "; ".join(statements)
    return f"CREATE TRIGGER {name} AFTER {event} ON comment FOR EACH ROW {when} BEGIN {body}; END"


def _sqlite() -> list[str]:
    return [
        _sqlite_trigger("comment_counts_insert", "INSERT", "", _sqlite_add("NEW")),
        _sqlite_trigger("comment_counts_delete", "DELETE", "", _sqlite_remove_count("OLD") + _sqlite_remove_people("OLD")),
        _sqlite_trigger("comment_counts_update", f"UPDATE OF {', '.join(COUNT_COLUMNS)}",
                        f"WHEN {_changed(COUNT_COLUMNS).replace('IS DISTINCT FROM', 'IS NOT')}",
                        _sqlite_remove_count("OLD") + [_sqlite_add("NEW")[0]]),
        _sqlite_trigger("comment_people_update", f"UPDATE OF {', '.join(PEOPLE_COLUMNS)}",
                        f"WHEN {_changed(PEOPLE_COLUMNS).replace('IS DISTINCT FROM', 'IS NOT')}",
                        _sqlite_remove_people("OLD") + _sqlite_add("NEW")[1:]),
    ]


def _postgresql() -> list[str]:
    columns = ", ".join(column for column, _e in COUNT_KEY)
    values = ", ".join(expression.format(r="c") for _c, expression in COUNT_KEY)
    match = _key_match("comment_count", COUNT_KEY, "c")
    dimensions = ", ".join(f"('{dimension}', c.{column}::text)" for dimension, column in PEOPLE_DIMENSIONS)
    key = "proposal_id = c.proposal_id AND dimension = d AND value = v"
    old_key, new_key = (", ".join(expression.format(r=row) for _c, expression in COUNT_KEY) for row in ("OLD", "NEW"))
    return [
        f"""CREATE FUNCTION comment_count_apply(c comment, delta integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM proposal WHERE id = c.proposal_id) THEN
    RETURN;  -- a proposal being deleted takes its counters with it
  END IF;
  IF delta > 0 THEN
    INSERT INTO comment_count AS t ({columns}, comments) VALUES ({values}, 1)
    ON CONFLICT ({columns}) DO UPDATE SET comments = t.comments + 1;
  ELSE
    UPDATE comment_count SET comments = comments - 1 WHERE {match};
    DELETE FROM comment_count WHERE {match} AND comments <= 0;
  END IF;
END $$""",
        # The person row's own count, returned by the statement that changes it, says whether the
        # person is new to (or gone from) a value; concurrent writers of one person queue on its row.
        f"""CREATE FUNCTION comment_people_apply(c comment, delta integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  p integer := coalesce(c.author_id, -c.id);
  d text;
  v text;
  n integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM proposal WHERE id = c.proposal_id) THEN
    RETURN;
  END IF;
  FOR d, v IN SELECT * FROM (VALUES {dimensions}) AS dimension_value LOOP
    IF delta > 0 THEN
      INSERT INTO comment_person AS t (proposal_id, dimension, value, person, comments) VALUES (c.proposal_id, d, v, p, 1)
      ON CONFLICT (proposal_id, dimension, value, person) DO UPDATE SET comments = t.comments + 1
      RETURNING t.comments INTO n;
      IF n = 1 THEN
        INSERT INTO comment_people AS t (proposal_id, dimension, value, people) VALUES (c.proposal_id, d, v, 1)
        ON CONFLICT (proposal_id, dimension, value) DO UPDATE SET people = t.people + 1;
      END IF;
    ELSE
      UPDATE comment_person SET comments = comments - 1 WHERE {key} AND person = p RETURNING comments INTO n;
      IF n <= 0 THEN
        DELETE FROM comment_person WHERE {key} AND person = p;
        UPDATE comment_people SET people = people - 1 WHERE {key};
        DELETE FROM comment_people WHERE {key} AND people <= 0;
      END IF;
    END IF;
  END LOOP;
END $$""",
        f"""CREATE FUNCTION comment_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM comment_count_apply(NEW, 1);
    PERFORM comment_people_apply(NEW, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM comment_count_apply(OLD, -1);
    PERFORM comment_people_apply(OLD, -1);
  ELSE
    IF {_changed(COUNT_COLUMNS)} THEN
      -- The lower of the two cells first, so that two comments moving opposite ways at once
      -- never wait for each other in a circle.
      IF ROW({old_key}) < ROW({new_key}) THEN
        PERFORM comment_count_apply(OLD, -1);
        PERFORM comment_count_apply(NEW, 1);
      ELSE
        PERFORM comment_count_apply(NEW, 1);
        PERFORM comment_count_apply(OLD, -1);
      END IF;
    END IF;
    IF {_changed(PEOPLE_COLUMNS)} THEN
      PERFORM comment_people_apply(OLD, -1);
      PERFORM comment_people_apply(NEW, 1);
    END IF;
  END IF;
  RETURN NULL;
END $$""",
        "CREATE TRIGGER comment_counts AFTER INSERT OR UPDATE OR DELETE ON comment "
        "FOR EACH ROW EXECUTE FUNCTION comment_counts()",
    ]


TRIGGERS = {"postgresql": _postgresql(), "sqlite": _sqlite()}
DROP_TRIGGERS = {
    "postgresql": ["DROP TRIGGER IF EXISTS comment_counts ON comment", "DROP FUNCTION IF EXISTS comment_counts()",
                   "DROP FUNCTION IF EXISTS comment_people_apply(comment, integer)",
                   "DROP FUNCTION IF EXISTS comment_count_apply(comment, integer)"],
    "sqlite": [f"DROP TRIGGER IF EXISTS {name}" for name in (
        "comment_counts_insert", "comment_counts_delete", "comment_counts_update", "comment_people_update")],
}
# Filled by the triggers: a copy of the database copies comments and lets these rebuild.
DERIVED_TABLES = frozenset({"comment_count", "comment_person", "comment_people"})


# ---------------------------------------------------------------- recounting

def _where(query, column, proposal_ids: Iterable[int] | None):
    return query if proposal_ids is None else query.where(column.in_(list(proposal_ids)))


def count_rows(proposal_ids: Iterable[int] | None = None):
    """SELECT of comment_count's rows as a recount of the comments would make them."""
    key = [Comment.proposal_id, Comment.kind, Comment.section, Comment.stakeholder_group, Comment.language,
           Comment.channel, Comment.disposition, Comment.moderation, sa.func.coalesce(sa.type_coerce(Comment.hidden_category, sa.String(32)), ""),
           Comment.parent_id.is_not(None), Comment.withdrawn_at.is_not(None)]
    return _where(sa.select(*key, sa.func.count()).group_by(*key), Comment.proposal_id, proposal_ids)


def person_rows(proposal_ids: Iterable[int] | None = None):
    """SELECT of comment_person's rows as a recount would make them."""
    ids = None if proposal_ids is None else list(proposal_ids)
    parts = []
    for dimension, column in PEOPLE_DIMENSIONS:
        value = getattr(Comment, column)
        key = [Comment.proposal_id, sa.literal(dimension, sa.String(16)).label("dimension"),
               sa.type_coerce(value, sa.String(32)).label("value"), person_key().label("person")]
        parts.append(_where(sa.select(*key, sa.func.count().label("comments")).group_by(*key),
                            Comment.proposal_id, ids))
    return sa.union_all(*parts)


def people_rows(proposal_ids: Iterable[int] | None = None):
    """SELECT of comment_people's rows as a recount would make them."""
    persons = person_rows(proposal_ids).subquery()
    key = [persons.c.proposal_id, persons.c.dimension, persons.c.value]
    return sa.select(*key, sa.func.count()).group_by(*key)


def recount(connection, proposal_ids: Iterable[int] | None = None) -> None:
    """Rebuild the counters of these proposals (all when None) from their comments."""
    ids = None if proposal_ids is None else list(proposal_ids)
    for model in (CommentCount, CommentPerson, CommentPeople):
        connection.execute(_where(sa.delete(model), model.proposal_id, ids))
    count_columns = [column for column, _e in COUNT_KEY] + ["comments"]
    connection.execute(sa.insert(CommentCount).from_select(count_columns, count_rows(ids)))
    connection.execute(sa.insert(CommentPerson).from_select(
        ["proposal_id", "dimension", "value", "person", "comments"], person_rows(ids)))
    connection.execute(sa.insert(CommentPeople).from_select(
        ["proposal_id", "dimension", "value", "people"], people_rows(ids)))


def differences(connection, proposal_ids: Iterable[int] | None = None) -> dict[str, tuple[set, set]]:
    """Rows the counters have that a recount would not, and the other way round, per table
    (empty when they agree)."""
    ids = None if proposal_ids is None else list(proposal_ids)
    found = {}
    for model, recounted in ((CommentCount, count_rows(ids)), (CommentPerson, person_rows(ids)),
                             (CommentPeople, people_rows(ids))):
        table = model.__table__
        stored = {tuple(_plain(v) for v in row)
                  for row in connection.execute(_where(sa.select(*table.columns), table.c.proposal_id, ids))}
        fresh = {tuple(_plain(v) for v in row) for row in connection.execute(recounted)}
        if stored != fresh:
            found[table.name] = (stored - fresh, fresh - stored)
    return found


def _plain(value):
    """Compare enums by value and booleans as numbers, whatever the driver returned."""
    if isinstance(value, bool):
        return int(value)
    return getattr(value, "value", value)
