"""Static files with fingerprinted names, precompressed, served by WhiteNoise.

At start-up every file under static/ is copied to <instance>/static-build/ twice: under its own
name (cached for an hour) and under a name with a hash of its content (cached for a year as
immutable: a changed file gets a new name). Each copy gets .gz and .br beside it, which
WhiteNoise serves to browsers that accept them. `url_for("static", filename=...)` gives the
fingerprinted name, so templates need nothing special.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from codesign.security import BASE_HEADERS, HSTS

HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
SKIP = {"README.md"}
YEAR = 365 * 24 * 3600


def fingerprinted(relative: str, data: bytes) -> str:
    stem, dot, ext = relative.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{ext}" if dot else f"{relative}.{digest}"


def _write(target: Path, data: bytes) -> None:
    """Write atomically: several workers may build at the same moment."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and target.read_bytes() == data:
        return
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, target)


def build(source: Path, out: Path) -> dict[str, str]:
    """Copy and compress every static file; return {name: fingerprinted name}. A fingerprinted
    name stands for its content, so a file already built (a restart, another worker) is not
    compressed again."""
    manifest = {}
    compressor = Compressor(quiet=True)
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name in SKIP or path.name.startswith("."):
            continue
        relative = path.relative_to(source).as_posix()
        data = path.read_bytes()
        manifest[relative] = fingerprinted(relative, data)
        copies = {"": data}
        if compressor.should_compress(relative):
            built = out / manifest[relative]
            for suffix, pack in ((".gz", Compressor.compress_gzip), (".br", Compressor.compress_brotli)):
                ready = Path(str(built) + suffix)
                packed = ready.read_bytes() if built.exists() and ready.exists() else pack(data)
                if len(packed) < len(data) * 0.95:
                    copies[suffix] = packed
        for name in (relative, manifest[relative]):
            for suffix, content in copies.items():
                _write(Path(str(out / name) + suffix), content)
    return manifest


def init_app(app: Flask, source: Path) -> None:
    out = Path(app.instance_path) / "static-build"
    manifest = build(source, out)
    app.extensions["codesign.assets"] = manifest

    @app.url_defaults
    def _fingerprint(endpoint, values):
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(out), prefix="static/", max_age=3600,
                              immutable_file_test=lambda path, url: bool(HASHED.search(url)),
                              allow_all_origins=False, add_headers_function=_headers(app.config["HTTPS"]))


def _headers(https: bool):
    """The security headers of every response (fixed per file: WhiteNoise sets them once)."""
    def add(headers, path, url) -> None:
        for name, value in BASE_HEADERS.items():
            headers[name] = value
        if https:
            headers["Strict-Transport-Security"] = HSTS

    return add
