"""Leaderboards from result folders: pure aggregation, then publishing (Markdown, CSV, HTML, plots).

Modules, in data-flow order (one job each):
- `discover`: find and read result files of every generation -> `ResultFile`
  (`formats` parses the document layouts, `records` holds the shared dataclasses)
- `convention`: score one file under a benchmark's convention for one task (splits, subset,
  metric, deviations)
- `choose`: per model and task, the file that serves (newest mteb version first)
- `aggregate`: published rounding, category and overall means (None when a task is missing)
- `build`: the above end to end -> `Leaderboard`
- `export` (JSON), `tables` (Markdown, CSV), `page` (HTML), `plots`: render a `Leaderboard`,
  computing nothing (`present` holds their shared formatting rules)
- `publish`: write every output to a folder
"""
