"""The `zqt` console command: Django's manage.py for the installed package.

Defaults to production settings (safe defaults); the quick start sets
DJANGO_SETTINGS_MODULE=zqt.config.settings.local.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zqt.config.settings.production")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # `zqt gen-data` reads better than `zqt gen_data`; Django command names are module names.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
