"""Every shipped catalog is complete, current with the code, and well-formed."""
from __future__ import annotations

import io
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from codesign.i18n import SUPPORTED_LOCALE_CODES
from codesign.translations_tool import (
    BABEL_CFG,
    PACKAGE_DIR,
    TEMPLATE_POT,
    catalog_paths,
)

TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "_ln": (1, 2), "_lp": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}


def _source_ids() -> set[str]:
    method_map, options_map = parse_mapping_cfg(io.StringIO(BABEL_CFG.read_text()))
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE_DIR), method_map, options_map, keywords=KEYWORDS
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _read(path, locale=None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def test_template_has_every_string_in_the_code():
    template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(TEMPLATE_POT) if m.id}
    missing = _source_ids() - template_ids
    assert not missing, "run: flask --app codesign translations extract\nmissing: %s" % sorted(missing)


def test_every_supported_locale_ships_a_catalog():
    shipped = {path.parent.parent.name for path in catalog_paths()}
    assert set(SUPPORTED_LOCALE_CODES) - {"en"} <= shipped


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.parent.parent.name)
def test_catalog_is_complete_and_not_fuzzy(path):
    code = path.parent.parent.name
    catalog = _read(path, locale=code)
    template = _read(TEMPLATE_POT)
    ids = {m.id for m in catalog if m.id}
    wanted = {m.id for m in template if m.id}
    assert not wanted - ids, f"{code}: not merged, run translations extract: {sorted(wanted - ids)[:5]}"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(("fuzzy", message.id))
        elif not all(s and s.strip() for s in strings):
            problems.append(("untranslated", message.id))
        elif isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append(("plural forms", message.id))
        for error in message.check(catalog):
            problems.append(("format", message.id, str(error)))
        source = message.id if isinstance(message.id, str) else message.id[0]
        for string in strings:
            if sorted(TAG_RE.findall(source)) != sorted(TAG_RE.findall(string or "")):
                problems.append(("markup differs from the source", message.id))
    assert not problems, f"{code}: {problems[:10]}"


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.parent.parent.name)
def test_catalog_header_says_it_awaits_native_review(path):
    head = path.read_text(encoding="utf-8")[:600]
    assert "awaits review by native speakers" in head
