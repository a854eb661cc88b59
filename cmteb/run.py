"""`python -m cmteb.run ...` is exactly `cmteb run ...`."""

import sys

from cmteb.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
