import sys

from kvf.cli import main

sys.exit(main())
