"""Rendered pieces of pages kept by what they show, so a page renders each of them once.

A row of the comment list costs a few hundred Python calls to render (labels, dates, links,
translations), and a signed-in person's proposal page is never a kept page (codesign/pagecache.py):
each of their views rendered every row, the comment form and the vote counts again. Here each
worker keeps the pieces that are the same for everyone, under a key made of *everything the piece
shows*: a row's own columns (comments/fragments.py), the suppressed tallies, the filters chosen,
a moderation queue item's comment, proposal title and reports (moderation/fragments.py), plus
the language, time zone, district and address (`fragment_key`). Nothing is ever stale: a comment
or count changed in any way has a new key, and the old piece ages out. What differs per person (a
comment held for its own author, a form someone posted) is never kept; templates render it around
the kept pieces. A form's token is each person's own: the "me too" form is kept in two pieces
around it, and a piece with several forms is kept without it and gets each reader's put back
(`fragment_with_token`).

The key is a digest (BLAKE2b, 16 bytes) of those values, so memory holds no one's words twice and
stays bounded: FRAGMENT_CACHE_SIZE pieces per worker ("0" turns it off).
"""
from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import hashlib
from collections import OrderedDict
from threading import Lock

from flask import Flask, current_app, g, has_app_context, request
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup


class FragmentCache:
    def __init__(self, size: int, *, check_keys: bool = False):
        self.size = size
        self.check_keys = check_keys  # (under test: every key's values must show their content)
        self.pieces: OrderedDict[tuple, object] = OrderedDict()
        self.lock = Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self.lock:
            piece = self.pieces.get(key)
            if piece is None:
                self.misses += 1
                return None
            self.pieces.move_to_end(key)
            self.hits += 1
            return piece

    def put(self, key, piece) -> None:
        with self.lock:
            self.pieces[key] = piece
            self.pieces.move_to_end(key)
            while len(self.pieces) > self.size:
                self.pieces.popitem(last=False)


def digest(*values) -> bytes:
    """A key for the values, from their repr: numbers, strings, enums, dates, dataclasses and
    containers of them, whose repr is their content. (An object whose repr is its address, such
    as a model instance, could share a key with another made later at the same address: under
    test, `_plain` refuses it.)"""
    kept = cache() if has_app_context() else None
    if kept is not None and kept.check_keys:
        _plain(values)
    return hashlib.blake2b(repr(values).encode(), digest_size=16).digest()


PLAIN = (str, bytes, int, float, type(None), datetime.date, datetime.time, datetime.timedelta, decimal.Decimal,
         enum.Enum)


def _plain(value) -> None:
    if isinstance(value, PLAIN):
        return
    if isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            _plain(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _plain(key)
            _plain(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _plain(getattr(value, field.name))
    else:
        raise TypeError(f"a fragment key needs values whose repr is their content, not {type(value).__name__}")


def cache() -> FragmentCache | None:
    return current_app.extensions.get("codesign.fragments")


def fragment_key(*values) -> bytes | None:
    """The key of a piece that shows exactly `values` (a template names them all) and is written
    in this request's language and time zone, for this district at this address; None when
    nothing is kept."""
    if cache() is None:
        return None
    district = g.get("district")
    return digest(values, str(get_locale()), str(get_timezone()), request.script_root,
                  (district.id, district.slug) if district is not None else None)


def blank_form_key(form, *values) -> bytes | None:
    """The key of a form's fields as everyone sees them before typing anything (its defaults
    included); None once it was posted, since what was typed and its errors are that person's."""
    if cache() is None or form.is_submitted() or form.errors:
        return None
    return fragment_key("form", type(form).__name__, values,
                        tuple((field.name, field.data) for field in form if field.name != "csrf_token"))


def fragment(key: bytes | None, part: str):
    """The kept part of a piece, or None (then the template makes it and keeps it)."""
    kept = cache()
    return None if kept is None or key is None else kept.get((key, part))


def keep_fragment(key: bytes | None, part: str, piece) -> str:
    kept = cache()
    if kept is not None and key is not None:
        kept.put((key, part), piece)
    return ""


def fragment_with_token(key: bytes | None, part: str) -> Markup | None:
    """A kept part holding forms, with this reader's form token put back where it was."""
    pieces = fragment(key, part)
    return None if pieces is None else Markup(generate_csrf().join(pieces))


def keep_fragment_with_token(key: bytes | None, part: str, html) -> str:
    """Keep a part holding forms without the reader's form token (its pieces around each place
    the token was): the forms are everyone's, the token is each person's own."""
    if key is not None and cache() is not None:
        keep_fragment(key, part, tuple(str(html).split(generate_csrf())))
    return ""


def init_app(app: Flask) -> None:
    """Templates ask with `fragment(key, part)` and keep with `keep_fragment(key, part, html)`
    (a part with forms: `fragment_with_token`, `keep_fragment_with_token`).
    Off while templates may change under a running server (debug)."""
    from codesign.comments.fragments import comment_key

    size = int(app.config["FRAGMENT_CACHE_SIZE"])
    if size > 0 and not app.debug:
        app.extensions["codesign.fragments"] = FragmentCache(size, check_keys=bool(app.config["FRAGMENT_KEY_CHECKS"]))
    app.jinja_env.globals.update(fragment=fragment, keep_fragment=keep_fragment, fragment_key=fragment_key,
                                  blank_form_key=blank_form_key, comment_key=comment_key,
                                  fragment_with_token=fragment_with_token,
                                  keep_fragment_with_token=keep_fragment_with_token)
