"""The web console (issue 8): the built front-end of ``console/`` served at ``/console``."""
