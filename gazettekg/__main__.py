import sys

from gazettekg.cli import main

sys.exit(main())
