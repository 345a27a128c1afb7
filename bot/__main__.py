"""`python -m bot …`: see bot/cli.py."""

import sys

from bot.cli.main import main

sys.exit(main())
