"""Entry point for gunicorn and ``flask --app wsgi``."""

from api import create_app
from api.config import SettingsError

try:
    app = create_app()
except SettingsError as error:
    # One line naming the bad setting and exit status 1, for `flask …` commands and
    # gunicorn alike: an operator's typo is not a Python traceback.
    raise SystemExit(f"error: {error}") from None
