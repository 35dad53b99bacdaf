import sys

from caseserver.cli import main

sys.exit(main())
