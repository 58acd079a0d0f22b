"""Open data tests read the demo district."""
import pytest
import sqlalchemy as sa

from codesign.extensions import db
from codesign.proposals.models import Proposal
from tests.conftest import put_demo


@pytest.fixture
def demo(app):
    """The demo district: proposals in every state, comments in five languages, votes, a log."""
    put_demo(app)
    with app.app_context():
        rows = db.session.execute(sa.select(Proposal.id, Proposal.current_version_id)).all()
    published = sorted(pid for pid, current in rows if current is not None)
    drafts = sorted(pid for pid, current in rows if current is None)
    assert published and drafts
    return published, drafts
