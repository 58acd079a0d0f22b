"""Import every feature's models so that SQLAlchemy and Alembic see the whole schema."""
from codesign.accounts.models import User  # noqa: F401
from codesign.audit.models import AuditEvent  # noqa: F401
from codesign.comments.models import Comment, Flag, MeToo  # noqa: F401
from codesign.community.models import (  # noqa: F401
    Organization,
    OrganizationFacilitator,
    Session,
    SessionAttendance,
    SessionChange,
    SessionProposal,
    SessionTally,
)
from codesign.content_translations.models import (  # noqa: F401
    ContentTranslation,
    ContentTranslationRequest,
    ProposalTranslation,
    TranslationRequest,
)
from codesign.districts.models import District, Membership  # noqa: F401
from codesign.notifications.models import Follow, Notification  # noqa: F401
from codesign.proposals.models import Proposal, ProposalVersion  # noqa: F401
from codesign.responselog.models import (  # noqa: F401
    Contest,
    EntryComment,
    EntryQuestion,
    ResponseEntry,
)
from codesign.review.models import ReferenceShare  # noqa: F401
from codesign.surveys.models import (  # noqa: F401
    Survey,
    SurveyAnswer,
    SurveyCorrection,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    SurveyText,
)
from codesign.votes.models import Vote  # noqa: F401
