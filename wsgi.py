"""Entry point for gunicorn and ``flask --app wsgi``."""

from api import create_app

app = create_app()
