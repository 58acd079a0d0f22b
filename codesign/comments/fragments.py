"""The key of a comment's row in the fragment cache (codesign/fragments.py): everything the parts of
`comments/_comment.html` that every reader sees alike are made from."""
from __future__ import annotations

import operator

import sqlalchemy as sa
from flask import g
from flask_login import current_user

from codesign.comments.models import Comment
from codesign.fragments import cache, fragment_key

COLUMNS = tuple(attribute.key for attribute in sa.inspect(Comment).column_attrs)
_loaded_columns = operator.itemgetter(*COLUMNS)


def comment_columns(comment: Comment) -> tuple:
    """The comment's column values, read straight from what the query loaded (an attribute read
    through the ORM costs a few Python calls, and a page reads some thirty per row)."""
    try:
        return _loaded_columns(comment.__dict__)
    except KeyError:  # (one not loaded: the ORM loads it)
        return tuple(getattr(comment, name) for name in COLUMNS)


def comment_key(comment: Comment, page, proposal) -> bytes | None:
    """None when nothing is kept, or when this reader sees the row as no one else does (their own
    comment, held for a moderator, with its words)."""
    if cache() is None:
        return None
    if comment.held and current_user.is_authenticated and comment.author_id == current_user.id:
        return None
    district = g.district
    return fragment_key(
        "comment", comment_columns(comment),
        # what else the page knows of it: where it was said, the log entry that answered it, replies
        page.sessions.get(comment.session_id), page.entry_sequences.get(comment.addressed_in_id),
        len(page.replies.get(comment.id, ())), proposal.id,
        # the district's settings it shows (fragment_key adds language, time zone, district, address)
        district.suppression_threshold, district.default_locale)
