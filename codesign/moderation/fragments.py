"""The keys of a moderation queue item's parts in the fragment cache (codesign/fragments.py): its
description (`item_header` in moderation/queue.html) and its forms (`actions`)."""
from __future__ import annotations

from codesign.comments.fragments import comment_columns
from codesign.fragments import cache, fragment_key


def item_key(item) -> bytes | None:
    if cache() is None:
        return None
    return fragment_key("moderation item", comment_columns(item.comment), item.proposal_title,
                        tuple((flag.reason, flag.note) for flag in item.flags))


def actions_key(item, first_action: str, first_label) -> bytes | None:
    """An item's three forms, kept without the moderator's form token: what they post to (its
    comment, and the first action: publish or keep) and the first button's words."""
    return fragment_key("moderation actions", item.comment.id, first_action, str(first_label))
