#!/usr/bin/env python
"""Django's command-line utility for Inventera."""

import os
import sys

# Commands that work on the source tree, not on a database or a server: in a fresh
# checkout with no environment at all they run with the development settings, so that
# `makemigrations --check` and the translation commands need no SECRET_KEY.
SOURCE_COMMANDS = {"makemigrations", "makemessages", "compilemessages"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    unconfigured = not os.environ.get("DEBUG") and not os.environ.get("SECRET_KEY")
    if unconfigured and len(sys.argv) > 1 and sys.argv[1] in SOURCE_COMMANDS:
        os.environ["DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
