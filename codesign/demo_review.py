"""Demo reference shares for the board review: who makes up Riverside's community (fictional
figures), chosen so that the review shows one group heard from far less than its share."""
from __future__ import annotations

from codesign.extensions import db
from codesign.review.models import Dimension, ReferenceShare

SOURCE = "Riverside Unified enrollment, fall 2026 (fictional)"
SHARES = {
    Dimension.GROUP: {"family": 52, "student": 30, "educator": 10, "community_member": 6,
                      "community_organization": 2},
    # Vietnamese-speaking families are 18% of the district but few took part: the review flags it.
    Dimension.LANGUAGE: {"en": 37, "es": 29, "vi": 18, "zh": 7, "ar": 6, "so": 3},
}


def load_demo_reference_shares(district) -> bool:
    if db.session.scalar(db.select(ReferenceShare.id).where(ReferenceShare.district_id == district.id).limit(1)):
        return False
    for dimension, shares in SHARES.items():
        db.session.add_all(ReferenceShare(district_id=district.id, dimension=dimension, key=key, percent=percent,
                                          source=SOURCE) for key, percent in shares.items())
    db.session.commit()
    return True
