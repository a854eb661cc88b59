"""One module per `cmteb` command: `add_arguments(parser)` and `main(args) -> exit code`."""
