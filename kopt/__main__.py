from kopt.cli import main

raise SystemExit(main())
