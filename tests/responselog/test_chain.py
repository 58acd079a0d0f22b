"""The response log is a hash chain: publishing appends, tampering is found, exports verify."""
import json

import pytest
import sqlalchemy as sa

from codesign.comments.models import Comment, Disposition
from codesign.extensions import db
from codesign.proposals.models import Proposal
from codesign.responselog import service
from codesign.responselog.models import Outcome, ResponseEntry


@pytest.fixture
def proposal_with_comments(app, make_open_proposal, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments.service import post_comment

    proposal_id = make_open_proposal()
    make_user("lucia")
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        lucia = find_user_by_login("lucia")
        ids = [post_comment(proposal, lucia, kind="concern", section="retention", body=f"Worry {n}",
                            language="es").id for n in range(3)]
    return proposal_id, ids


def publish(proposal_id, comment_ids=(), **changes):
    fields = dict(heard="Families said three years is too long.", outcome=Outcome.CHANGED,
                  reasons="We agree.", from_version_id=None, to_version_id=None, amends_id=None)
    fields.update(changes)
    proposal = db.session.get(Proposal, proposal_id)
    entry = service.create_entry(proposal, None, **fields)
    service.link_comments(entry, list(comment_ids))
    return service.publish_entry(entry)


def test_entries_chain_and_mark_their_comments(app, proposal_with_comments):
    proposal_id, ids = proposal_with_comments
    with app.app_context():
        first = publish(proposal_id, ids[:2])
        second = publish(proposal_id, [ids[2]], outcome=Outcome.NOT_CHANGED, amends_id=first.id)
        assert (first.sequence, second.sequence) == (1, 2)
        assert first.previous_hash == service.GENESIS and second.previous_hash == first.entry_hash
        comments = db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()
        assert [c.addressed_in_id for c in comments] == [first.id, first.id, second.id]
        assert all(c.disposition == Disposition.RESPONSE_LOG for c in comments)
        result = service.verify_district(first.district_id)
        assert result.ok and result.entries == 2 and result.head == second.entry_hash


def test_editing_a_stored_entry_behind_the_apps_back_is_found(app, proposal_with_comments, runner):
    proposal_id, ids = proposal_with_comments
    with app.app_context():
        publish(proposal_id, ids[:1])
        second = publish(proposal_id, ids[1:2])
        publish(proposal_id, ids[2:])
        district_id = second.district_id
        db.session.execute(sa.update(ResponseEntry).where(ResponseEntry.id == second.id)
                           .values(reasons="We never said that."))
        db.session.commit()
        result = service.verify_district(district_id)
    assert not result.ok and result.first_bad_sequence == 2
    cli = runner.invoke(args=["verify-log"])
    assert cli.exit_code == 1 and "entry 2 does not match" in cli.output


def test_relinking_a_comment_after_publication_is_found(app, proposal_with_comments):
    proposal_id, ids = proposal_with_comments
    with app.app_context():
        entry = publish(proposal_id, ids[:1])
        db.session.execute(sa.text("UPDATE response_entry_comment SET comment_id = :new WHERE entry_id = :e"),
                           {"new": ids[2], "e": entry.id})
        db.session.commit()
        assert service.verify_district(entry.district_id).first_bad_sequence == 1


def test_published_entries_cannot_change(app, proposal_with_comments):
    proposal_id, ids = proposal_with_comments
    with app.app_context():
        entry = publish(proposal_id, ids[:1])
        proposal = db.session.get(Proposal, proposal_id)
        with pytest.raises(service.LogError):
            service.update_entry(entry, proposal, heard="x", outcome=Outcome.CHANGED, reasons="y",
                                 from_version_id=None, to_version_id=None, amends_id=None)
        with pytest.raises(service.LogError):
            service.link_comments(entry, ids)
        with pytest.raises(service.LogError):
            service.publish_entry(entry)


def test_comments_of_another_proposal_cannot_be_linked(app, proposal_with_comments, make_district):
    proposal_id, ids = proposal_with_comments
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        entry = service.create_entry(proposal, None, heard="h", outcome=Outcome.CHANGED, reasons="r",
                                     from_version_id=None, to_version_id=None, amends_id=None)
        with pytest.raises(service.LogError) as error:
            service.link_comments(entry, [ids[0], 999_999])
        assert error.value.code == "bad_comment"
        assert service.linked_comment_ids(entry) == []


def test_verify_an_exported_file(app, proposal_with_comments, runner, tmp_path):
    proposal_id, ids = proposal_with_comments
    with app.app_context():
        entry = publish(proposal_id, ids)
        records = service.export_records(entry.district_id)
    good = tmp_path / "log.json"
    good.write_text(json.dumps({"entries": records}))
    result = runner.invoke(args=["verify-log", "--file", str(good)])
    assert result.exit_code == 0 and "1 entries verified" in result.output
    records[0]["heard"] = "Something else"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records))
    result = runner.invoke(args=["verify-log", "--file", str(bad)])
    assert result.exit_code == 1 and "entry 1 does not match" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = runner.invoke(args=["verify-log", "--file", str(broken)])
    assert result.exit_code == 2 and "Cannot read" in result.output
    result = runner.invoke(args=["verify-log", "--file", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    result = runner.invoke(args=["verify-log", "--district", "nowhere"])
    assert result.exit_code == 2


def test_racing_first_publications_take_turns(app, proposal_with_comments):
    """Two staff publish the district's very first entries at once (threads, real connections)."""
    import threading

    proposal_id, ids = proposal_with_comments
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        draft_ids = [service.create_entry(proposal, None, heard=f"Heard {n}", outcome=Outcome.CHANGED, reasons="Why",
                                          from_version_id=None, to_version_id=None, amends_id=None).id
                     for n in range(3)]
    barrier = threading.Barrier(len(draft_ids))
    errors = []

    def publish_one(entry_id):
        try:
            with app.app_context():
                entry = db.session.get(ResponseEntry, entry_id)
                barrier.wait(timeout=10)
                service.publish_entry(entry)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=publish_one, args=(entry_id,)) for entry_id in draft_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not errors, errors
    with app.app_context():
        sequences = sorted(db.session.scalars(sa.select(ResponseEntry.sequence).where(ResponseEntry.sequence.is_not(None))))
        assert sequences == [1, 2, 3]
        assert service.verify_district(db.session.get(Proposal, proposal_id).district_id).ok
