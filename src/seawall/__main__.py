"""`python -m seawall` runs the command line."""

import sys

from seawall.cli.main import main

sys.exit(main())
