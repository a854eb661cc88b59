"""`python -m cmteb ...` is `cmteb ...`."""

import sys

from cmteb.cli import main

sys.exit(main())
