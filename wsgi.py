"""gunicorn entry point: gunicorn wsgi:app"""
from codesign import create_app

app = create_app()
