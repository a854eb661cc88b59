"""Leaderboards from result folders: pure aggregation, then publishing (Markdown, CSV, HTML, plots,
the results-repository layout, model cards).

Modules, in data-flow order (one job each):
- `discover`: find and read result files of every generation -> `ResultFile`
  (`formats` parses the document layouts, `records` holds the shared dataclasses)
- `convention`: score one file under a benchmark's convention for one task (splits, subset,
  metric, deviations)
- `choose`: per model and task, the file that serves (newest mteb version first)
- `aggregate`: category and overall means by `cmteb.rounding` (None when a task is missing)
- `intervals`: 95% bootstrap intervals from the per-sample files
- `facts`: model facts with their sources (mteb's model metadata, checkpoint, registry)
- `rank`: rank by mean (interval overlaps tie) and by Borda count
- `published`: the published headline average beside the recomputed one, with the rule
- `speed`: recorded timings per model, hardware and dtype
- `build`: the above end to end -> `Leaderboard`
- `export` (JSON), `tables` (Markdown, CSV), `page` (HTML), `plots`, `model_card`: render a
  `Leaderboard`, computing nothing (`present` holds their shared formatting rules;
  `cmteb.textsafe` makes names safe in every format)
- `publish`: write every output to a folder, all or nothing; `results_repo`: the
  embeddings-benchmark/results layout for `--export-results`
"""
