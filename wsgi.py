"""Entry point for gunicorn and ``flask --app wsgi``."""

import sys

from api import create_app
from api.config import ConfigError
from enforcement.crypto import PersonalDataKeyError

try:
    app = create_app()
except (ConfigError, PersonalDataKeyError) as error:  # a missing or unsafe key: one line
    sys.exit(f"gridwork: {error}")
