"""Open data tests read the demo district."""
import pytest
import sqlalchemy as sa

from codesign.extensions import db
from codesign.proposals.models import Proposal


@pytest.fixture
def demo(app):
    """The demo district: proposals in every state, comments in five languages, votes, a log."""
    from codesign.demo import load_demo

    with app.app_context():
        load_demo()
        rows = db.session.execute(sa.select(Proposal.id, Proposal.current_version_id)).all()
    published = sorted(pid for pid, current in rows if current is not None)
    drafts = sorted(pid for pid, current in rows if current is None)
    assert published and drafts
    return published, drafts
