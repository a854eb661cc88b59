"""Result files: the TaskResult JSON and its `cmteb` block, written atomically, locked per file,
read back; per-query run files; provenance."""
