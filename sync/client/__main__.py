import sys

from sync.client.cli import main

sys.exit(main())
