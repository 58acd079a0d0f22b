"""Who gave input on a proposal, kept by the database as it happens.

The board's review counts the distinct people with an account who commented, voted or answered
a linked survey, by their stakeholder group and language as they are now. Counting that from
the input itself means finding every distinct person among all of it (a quarter of a second at
a quarter of a million comments). Instead triggers keep:

- `participant`: per proposal and person, how many comments, votes and survey answers they gave;
- `participant_count`: per proposal, group and language, how many participants there are.

They follow every insert, update and delete of comments, votes and survey answers (including
an erased account's input losing its link, a survey linked to another proposal, a survey or
version deleted with its input) and every change of a person's group or language, in the same
transaction. `recount()` rebuilds them; `differences()` is what the tests compare them with.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from codesign.accounts.models import User
from codesign.comments.models import Comment
from codesign.proposals.models import ProposalVersion
from codesign.review.models import Participant, ParticipantCount
from codesign.surveys.models import Survey, SurveyResponse
from codesign.votes.models import Vote

# Each kind of input: its table, who gave it, the proposal it belongs to ({r} is NEW or OLD), and
# the columns whose change moves it.
SOURCES = [
    ("comment", "author_id", "{r}.proposal_id", ["proposal_id", "author_id"]),
    ("vote", "user_id", "(SELECT proposal_id FROM proposal_version WHERE id = {r}.version_id)", ["version_id", "user_id"]),
    ("survey_response", "user_id", "(SELECT proposal_id FROM survey WHERE id = {r}.survey_id)", ["survey_id", "user_id"]),
]
# Rows that input hangs from, which can move to another proposal or be deleted with their input:
# (table, its input table, the input's column pointing at it). A person gives at most one input
# per such row (votes: one per version; survey answers: one per survey).
PARENTS = [("survey", "survey_response", "survey_id"), ("proposal_version", "vote", "version_id")]


def _changed(columns: list[str], distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


# ---------------------------------------------------------------- the same SQL on both databases

def _regroup() -> list[str]:
    """A person's group or language changed: move them in every proposal they took part in."""
    return [
        "UPDATE participant_count SET people = people - 1 WHERE stakeholder_group = OLD.stakeholder_group "
        "AND locale = OLD.preferred_locale AND proposal_id IN (SELECT proposal_id FROM participant WHERE user_id = OLD.id)",
        "DELETE FROM participant_count WHERE people <= 0 "
        "AND proposal_id IN (SELECT proposal_id FROM participant WHERE user_id = OLD.id)",
        "INSERT INTO participant_count (proposal_id, stakeholder_group, locale, people) "
        "SELECT proposal_id, NEW.stakeholder_group, NEW.preferred_locale, 1 FROM participant WHERE user_id = NEW.id "
        "ON CONFLICT (proposal_id, stakeholder_group, locale) DO UPDATE SET people = participant_count.people + 1",
    ]


# ---------------------------------------------------------------- SQLite (one writer at a time)

def _sqlite_add(proposal: str, people: str) -> list[str]:
    """people (a list of user ids, each once) gave one more input on proposal."""
    return [
        "INSERT INTO participant_count (proposal_id, stakeholder_group, locale, people) "
        f"SELECT {proposal}, u.stakeholder_group, u.preferred_locale, count(*) FROM \"user\" u "
        f"WHERE u.id IN ({people}) AND {proposal} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM participant WHERE proposal_id = {proposal} AND user_id = u.id) "
        "GROUP BY u.stakeholder_group, u.preferred_locale "
        "ON CONFLICT (proposal_id, stakeholder_group, locale) DO UPDATE SET people = people + excluded.people",
        f"INSERT INTO participant (proposal_id, user_id, inputs) SELECT {proposal}, u.id, 1 FROM \"user\" u "
        f"WHERE u.id IN ({people}) AND {proposal} IS NOT NULL "
        "ON CONFLICT (proposal_id, user_id) DO UPDATE SET inputs = inputs + 1",
    ]


def _sqlite_remove(proposal: str, people: str) -> list[str]:
    """people (each once) gave one input fewer on proposal."""
    return [
        f"UPDATE participant SET inputs = inputs - 1 WHERE proposal_id = {proposal} AND user_id IN ({people})",
        "UPDATE participant_count SET people = people - (SELECT count(*) FROM participant p JOIN \"user\" u "
        f"ON u.id = p.user_id WHERE p.proposal_id = {proposal} AND p.inputs <= 0 "
        "AND u.stakeholder_group = participant_count.stakeholder_group AND u.preferred_locale = participant_count.locale) "
        f"WHERE proposal_id = {proposal}",
        f"DELETE FROM participant WHERE proposal_id = {proposal} AND inputs <= 0",
        f"DELETE FROM participant_count WHERE proposal_id = {proposal} AND people <= 0",
    ]


def _sqlite_trigger(name: str, when: str, table: str, condition: str, statements: list[str]) -> str:
    condition = f"WHEN {condition} " if condition else ""
    return f'CREATE TRIGGER {name} {when} ON "{table}" FOR EACH ROW {condition}BEGIN {"; ".join(statements)}; END'


def _sqlite() -> list[str]:
    statements = []
    for table, person, proposal, columns in SOURCES:
        new, old = proposal.format(r="NEW"), proposal.format(r="OLD")
        statements += [
            _sqlite_trigger(f"participant_{table}_insert", "AFTER INSERT", table, "",
                            _sqlite_add(new, f"NEW.{person}")),
            _sqlite_trigger(f"participant_{table}_delete", "AFTER DELETE", table, "",
                            _sqlite_remove(old, f"OLD.{person}")),
            _sqlite_trigger(f"participant_{table}_update", f"AFTER UPDATE OF {', '.join(columns)}", table,
                            _changed(columns, "IS NOT"),
                            _sqlite_remove(old, f"OLD.{person}") + _sqlite_add(new, f"NEW.{person}")),
        ]
    for table, inputs, column in PARENTS:
        people = f"SELECT user_id FROM {inputs} WHERE {column} = OLD.id AND user_id IS NOT NULL"
        statements += [
            _sqlite_trigger(f"participant_{table}_moved", "AFTER UPDATE OF proposal_id", table,
                            "OLD.proposal_id IS NOT NEW.proposal_id",
                            _sqlite_remove("OLD.proposal_id", people) + _sqlite_add("NEW.proposal_id", people)),
            # Before the row goes (its input goes after it, and by then finds no proposal).
            _sqlite_trigger(f"participant_{table}_deleted", "BEFORE DELETE", table, "",
                            _sqlite_remove("OLD.proposal_id", people)),
        ]
    statements.append(_sqlite_trigger(
        "participant_regroup", "AFTER UPDATE OF stakeholder_group, preferred_locale", "user",
        "OLD.stakeholder_group IS NOT NEW.stakeholder_group OR OLD.preferred_locale IS NOT NEW.preferred_locale",
        _regroup()))
    return statements


# ---------------------------------------------------------------- PostgreSQL (concurrent writers)

def _postgresql() -> list[str]:
    statements = [
        # The participant row's own count, returned by the statement that changes it, says whether
        # the person is new to (or gone from) the proposal; writers for one person queue on that
        # row, and reading the person FOR SHARE waits for a change of their group to commit.
        """CREATE FUNCTION participant_apply(for_proposal integer, for_person integer, delta integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  g text;
  l text;
BEGIN
  IF for_proposal IS NULL OR for_person IS NULL OR NOT EXISTS (SELECT 1 FROM proposal WHERE id = for_proposal) THEN
    RETURN;  -- a proposal being deleted takes its counters with it
  END IF;
  IF delta > 0 THEN
    INSERT INTO participant AS t (proposal_id, user_id, inputs) VALUES (for_proposal, for_person, 1)
    ON CONFLICT (proposal_id, user_id) DO UPDATE SET inputs = t.inputs + 1 RETURNING t.inputs INTO n;
  ELSE
    UPDATE participant SET inputs = inputs - 1 WHERE proposal_id = for_proposal AND user_id = for_person
    RETURNING inputs INTO n;
  END IF;
  IF n = 1 AND delta > 0 OR n <= 0 AND delta < 0 THEN
    SELECT stakeholder_group, preferred_locale INTO g, l FROM "user" WHERE id = for_person FOR SHARE;
    IF delta > 0 THEN
      INSERT INTO participant_count AS t (proposal_id, stakeholder_group, locale, people) VALUES (for_proposal, g, l, 1)
      ON CONFLICT (proposal_id, stakeholder_group, locale) DO UPDATE SET people = t.people + 1;
    ELSE
      DELETE FROM participant WHERE proposal_id = for_proposal AND user_id = for_person;
      UPDATE participant_count SET people = people - 1
      WHERE proposal_id = for_proposal AND stakeholder_group = g AND locale = l;
      DELETE FROM participant_count WHERE proposal_id = for_proposal AND stakeholder_group = g AND locale = l
      AND people <= 0;
    END IF;
  END IF;
END $$""",
    ]
    for table, person, proposal, columns in SOURCES:
        statements += [
            f"""CREATE FUNCTION participant_from_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM participant_apply({proposal.format(r="NEW")}, NEW.{person}, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM participant_apply({proposal.format(r="OLD")}, OLD.{person}, -1);
  ELSIF {_changed(columns, "IS DISTINCT FROM")} THEN
    PERFORM participant_apply({proposal.format(r="OLD")}, OLD.{person}, -1);
    PERFORM participant_apply({proposal.format(r="NEW")}, NEW.{person}, 1);
  END IF;
  RETURN NULL;
END $$""",
            f"CREATE TRIGGER participant_from_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION participant_from_{table}()",
        ]
    for table, inputs, column in PARENTS:
        statements += [
            f"""CREATE FUNCTION participant_{table}_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  person integer;
BEGIN
  FOR person IN SELECT user_id FROM {inputs} WHERE {column} = OLD.id AND user_id IS NOT NULL LOOP
    PERFORM participant_apply(OLD.proposal_id, person, -1);
    IF TG_OP = 'UPDATE' THEN
      PERFORM participant_apply(NEW.proposal_id, person, 1);
    END IF;
  END LOOP;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NULL;
END $$""",
            f"CREATE TRIGGER participant_{table}_moved AFTER UPDATE OF proposal_id ON {table} FOR EACH ROW "
            f"WHEN (OLD.proposal_id IS DISTINCT FROM NEW.proposal_id) EXECUTE FUNCTION participant_{table}_changed()",
            f"CREATE TRIGGER participant_{table}_deleted BEFORE DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION participant_{table}_changed()",
        ]
    body = ";\n  ".join(_regroup())
    statements += [
        f"""CREATE FUNCTION participant_regroup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {body};
  RETURN NULL;
END $$""",
        'CREATE TRIGGER participant_regroup AFTER UPDATE OF stakeholder_group, preferred_locale ON "user" '
        "FOR EACH ROW WHEN (OLD.stakeholder_group IS DISTINCT FROM NEW.stakeholder_group "
        "OR OLD.preferred_locale IS DISTINCT FROM NEW.preferred_locale) EXECUTE FUNCTION participant_regroup()",
    ]
    return statements


def _drop_postgresql() -> list[str]:
    statements = ['DROP TRIGGER IF EXISTS participant_regroup ON "user"', "DROP FUNCTION IF EXISTS participant_regroup()"]
    for table, _inputs, _column in PARENTS:
        statements += [f"DROP TRIGGER IF EXISTS participant_{table}_moved ON {table}",
                       f"DROP TRIGGER IF EXISTS participant_{table}_deleted ON {table}",
                       f"DROP FUNCTION IF EXISTS participant_{table}_changed()"]
    for table, *_rest in SOURCES:
        statements += [f"DROP TRIGGER IF EXISTS participant_from_{table} ON {table}",
                       f"DROP FUNCTION IF EXISTS participant_from_{table}()"]
    return statements + ["DROP FUNCTION IF EXISTS participant_apply(integer, integer, integer)"]


def _drop_sqlite() -> list[str]:
    names = ["participant_regroup"]
    for table, *_rest in SOURCES:
        names += [f"participant_{table}_{event}" for event in ("insert", "delete", "update")]
    for table, *_rest in PARENTS:
        names += [f"participant_{table}_moved", f"participant_{table}_deleted"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


TRIGGERS = {"postgresql": _postgresql(), "sqlite": _sqlite()}
DROP_TRIGGERS = {"postgresql": _drop_postgresql(), "sqlite": _drop_sqlite()}
DERIVED_TABLES = frozenset({"participant", "participant_count"})


# ---------------------------------------------------------------- recounting

def participant_rows(proposal_ids: Iterable[int] | None = None):
    """SELECT of participant's rows as a recount of the input would make them."""
    ids = None if proposal_ids is None else list(proposal_ids)
    inputs = sa.union_all(
        sa.select(Comment.proposal_id.label("proposal_id"), Comment.author_id.label("user_id"))
        .where(Comment.author_id.is_not(None)),
        sa.select(ProposalVersion.proposal_id, Vote.user_id).join(ProposalVersion, ProposalVersion.id == Vote.version_id)
        .where(Vote.user_id.is_not(None)),
        sa.select(Survey.proposal_id, SurveyResponse.user_id).join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(SurveyResponse.user_id.is_not(None), Survey.proposal_id.is_not(None)),
    ).subquery()
    query = sa.select(inputs.c.proposal_id, inputs.c.user_id, sa.func.count()).group_by(
        inputs.c.proposal_id, inputs.c.user_id)
    return query if ids is None else query.where(inputs.c.proposal_id.in_(ids))


def count_rows(proposal_ids: Iterable[int] | None = None):
    """SELECT of participant_count's rows as a recount would make them."""
    people = participant_rows(proposal_ids).subquery()
    group = sa.type_coerce(User.stakeholder_group, sa.String(32))
    key = [people.c.proposal_id, group, User.preferred_locale]
    return sa.select(*key, sa.func.count()).join(User, User.id == people.c.user_id).group_by(*key)


def recount(connection, proposal_ids: Iterable[int] | None = None) -> None:
    """Rebuild the participant counters of these proposals (all when None) from the input."""
    ids = None if proposal_ids is None else list(proposal_ids)
    for model in (Participant, ParticipantCount):
        delete = sa.delete(model)
        connection.execute(delete if ids is None else delete.where(model.proposal_id.in_(ids)))
    connection.execute(sa.insert(Participant).from_select(["proposal_id", "user_id", "inputs"], participant_rows(ids)))
    connection.execute(sa.insert(ParticipantCount).from_select(
        ["proposal_id", "stakeholder_group", "locale", "people"], count_rows(ids)))


def differences(connection) -> dict[str, tuple[set, set]]:
    """Rows the counters have that a recount would not, and the other way round, per table."""
    found = {}
    for model, recounted in ((Participant, participant_rows()), (ParticipantCount, count_rows())):
        table = model.__table__
        stored = {tuple(row) for row in connection.execute(sa.select(*table.columns))}
        fresh = {tuple(row) for row in connection.execute(recounted)}
        if stored != fresh:
            found[table.name] = (stored - fresh, fresh - stored)
    return found
