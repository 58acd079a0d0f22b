"""The production entry point (gunicorn wsgi:app)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_entry_point_keeps_start_up_objects_out_of_the_collectors_passes(tmp_path):
    import os

    env = {**os.environ, "CODESIGN_INSTANCE_PATH": str(tmp_path), "CODESIGN_SEARCH_BACKGROUND": "0",
           "CODESIGN_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    out = subprocess.run([sys.executable, "-c", "import gc, wsgi; print(wsgi.app.name, gc.get_freeze_count())"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "codesign" and int(out[1]) > 100_000
