from anju.cli import main

raise SystemExit(main())
