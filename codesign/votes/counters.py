"""Vote counters, kept by the database in the same transaction as every vote.

`vote_count` holds the votes per version, stance and group, so a tally reads at most fifteen
rows however many people voted. Triggers on `vote` follow inserts, deletes and changes of
stance (the common case: people change their minds), including any written by SQL. A cell at
zero stays (there are at most fifteen per version). `recount()` rebuilds it; `differences()` is
what the tests compare it with.
"""
from __future__ import annotations

import sqlalchemy as sa

from codesign.votes.models import Vote, VoteCount

KEY = ["version_id", "stance", "stakeholder_group"]


def _row(r: str) -> str:
    return ", ".join(f"{r}.{column}" for column in KEY)


def _match(r: str) -> str:
    return " AND ".join(f"{column} = {r}.{column}" for column in KEY)


CHANGED = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in KEY)
ADD = (f"INSERT INTO vote_count ({', '.join(KEY)}, votes) VALUES ({{row}}, 1) "
       f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET votes = vote_count.votes + 1")
REMOVE = "UPDATE vote_count SET votes = votes - 1 WHERE {match}"

TRIGGERS = {
    "postgresql": [
        # A changed vote moves between two cells: the lower one is always changed first, so two
        # people changing in opposite directions at once never wait for each other in a circle.
        f"""CREATE FUNCTION vote_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {ADD.format(row=_row("NEW"))};
  ELSIF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM proposal_version WHERE id = OLD.version_id) THEN  -- not going with it
      {REMOVE.format(match=_match("OLD"))};
    END IF;
  ELSIF {CHANGED} THEN
    IF ROW({_row("OLD")}) < ROW({_row("NEW")}) THEN
      {REMOVE.format(match=_match("OLD"))};
      {ADD.format(row=_row("NEW"))};
    ELSE
      {ADD.format(row=_row("NEW"))};
      {REMOVE.format(match=_match("OLD"))};
    END IF;
  END IF;
  RETURN NULL;
END $$""",
        "CREATE TRIGGER vote_counts AFTER INSERT OR UPDATE OR DELETE ON vote FOR EACH ROW EXECUTE FUNCTION vote_counts()",
    ],
    "sqlite": [
        f"CREATE TRIGGER vote_counts_insert AFTER INSERT ON vote FOR EACH ROW BEGIN {ADD.format(row=_row('NEW'))}; END",
        f"CREATE TRIGGER vote_counts_delete AFTER DELETE ON vote FOR EACH ROW BEGIN {REMOVE.format(match=_match('OLD'))}; END",
        f"CREATE TRIGGER vote_counts_update AFTER UPDATE OF {', '.join(KEY)} ON vote FOR EACH ROW "
        f"WHEN {CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} "
        f"BEGIN {REMOVE.format(match=_match('OLD'))}; {ADD.format(row=_row('NEW'))}; END",
    ],
}
DROP_TRIGGERS = {
    "postgresql": ["DROP TRIGGER IF EXISTS vote_counts ON vote", "DROP FUNCTION IF EXISTS vote_counts()"],
    "sqlite": [f"DROP TRIGGER IF EXISTS vote_counts_{event}" for event in ("insert", "delete", "update")],
}
DERIVED_TABLES = frozenset({"vote_count"})


def count_rows():
    key = [Vote.version_id, Vote.stance, Vote.stakeholder_group]
    return sa.select(*key, sa.func.count()).group_by(*key)


def recount(connection) -> None:
    """Rebuild the vote counters from the votes."""
    connection.execute(sa.delete(VoteCount))
    connection.execute(sa.insert(VoteCount).from_select([*KEY, "votes"], count_rows()))


def differences(connection) -> dict[str, tuple[set, set]]:
    """Cells whose count differs from a recount (cells kept at zero are not a difference)."""
    stored = {tuple(row[:-1]): row[-1] for row in connection.execute(sa.select(*VoteCount.__table__.columns))}
    fresh = {tuple(row[:-1]): row[-1] for row in connection.execute(count_rows())}
    wrong = {(*key, stored.get(key, 0)) for key in stored.keys() | fresh.keys() if stored.get(key, 0) != fresh.get(key, 0)}
    if not wrong:
        return {}
    return {"vote_count": (wrong, {(*key[:3], fresh.get(key[:3], 0)) for key in wrong})}
