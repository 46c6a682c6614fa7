"""Edges: the `seawall` command line, one module per subcommand."""
