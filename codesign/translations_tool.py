"""Extract, update and compile the interface catalogs in codesign/translations/."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_DIR = Path(__file__).resolve().parent
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
TEMPLATE_POT = TRANSLATIONS_DIR / "messages.pot"
BABEL_CFG = PACKAGE_DIR / "babel.cfg"


def catalog_paths() -> list[Path]:
    """Every shipped locale's messages.po."""
    return sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> Path:
    """Collect every translatable string from the code and templates into messages.pot."""
    _pybabel(
        "extract", "-F", str(BABEL_CFG), "-k", "_l", "-k", "lazy_gettext", "-k", "_ln:1,2",
        "-k", "lazy_ngettext:1,2", "-k", "_lp:1c,2", "-k", "lazy_pgettext:1c,2",
        "--no-location", "--sort-output", "--omit-header",
        "-o", str(TEMPLATE_POT), str(PACKAGE_DIR),
    )
    return TEMPLATE_POT


def update() -> None:
    """Merge messages.pot into every locale's catalog (new strings appear untranslated)."""
    _pybabel("update", "-i", str(TEMPLATE_POT), "-d", str(TRANSLATIONS_DIR),
             "--no-fuzzy-matching", "--ignore-obsolete")


def init_locale(code: str) -> None:
    """Start a catalog for a new locale."""
    _pybabel("init", "-i", str(TEMPLATE_POT), "-d", str(TRANSLATIONS_DIR), "-l", code)


def compile_catalog(po_path: Path) -> Path:
    """Write messages.mo beside po_path atomically (several workers may start at once)."""
    mo_path = po_path.with_suffix(".mo")
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    fd, tmp = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        os.replace(tmp, mo_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return mo_path


def compile_all() -> list[Path]:
    return [compile_catalog(po) for po in catalog_paths()]


def ensure_compiled(logger=None) -> None:
    """Compile any catalog whose .mo is missing or older than its .po."""
    for po in catalog_paths():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            try:
                compile_catalog(po)
            except OSError as error:  # a read-only install: say so, serve English
                if logger is not None:
                    logger.warning("could not compile %s: %s", po, error)
