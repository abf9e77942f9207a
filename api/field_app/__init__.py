"""The field app (issue 22): the built offline web app of ``app/`` served at ``/app``."""
