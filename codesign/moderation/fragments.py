"""The key of a moderation queue item's description in the fragment cache (codesign/fragments.py):
everything `item_header` in moderation/queue.html shows."""
from __future__ import annotations

from codesign.comments.fragments import comment_columns
from codesign.fragments import cache, fragment_key


def item_key(item) -> bytes | None:
    if cache() is None:
        return None
    return fragment_key("moderation item", comment_columns(item.comment), item.proposal_title,
                        tuple((flag.reason, flag.note) for flag in item.flags))
