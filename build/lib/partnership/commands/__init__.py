"""One module per ``partnership`` subcommand (see partnership.cli.COMMANDS)."""
