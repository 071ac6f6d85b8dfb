"""WSGI entry point: ``gunicorn app:app`` (``make run`` does this with the project's settings)."""

from preflight.web import create_app

app = create_app()
