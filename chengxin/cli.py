"""The `chengxin` command: the project's manage.py, with its own commands (load-campaign, totals, …)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengxin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(list(argv if argv is not None else sys.argv))


if __name__ == "__main__":
    main()
