"""`python -m bridge` is an alias of the `crm-bridge` command."""

from bridge.cli import main

raise SystemExit(main())
