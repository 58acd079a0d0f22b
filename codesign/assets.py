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
    """Copy and compress every static file; return {name: fingerprinted name}."""
    manifest = {}
    compressor = Compressor(quiet=True)
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name in SKIP or path.name.startswith("."):
            continue
        relative = path.relative_to(source).as_posix()
        data = path.read_bytes()
        manifest[relative] = fingerprinted(relative, data)
        for name in (relative, manifest[relative]):
            target = out / name
            _write(target, data)
            if compressor.should_compress(name):
                for encoding, suffix in (("gzip", ".gz"), ("br", ".br")):
                    packed = Compressor.compress_gzip(data) if encoding == "gzip" else Compressor.compress_brotli(data)
                    if len(packed) < len(data) * 0.95:
                        _write(Path(str(target) + suffix), packed)
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
