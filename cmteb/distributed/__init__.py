"""Scale-out: `--shard I/N` and `--ray` settings, the Ray executor, and `cmteb merge`.

`options.py` (settings) and `cli_args.py` (flags) import nothing heavy; `ray_executor.py` is the
`ray` executor of `cmteb.pipeline.run` and imports Ray only when `--ray` is used. The units a run
does and a shard's slice of them are planned in `cmteb.pipeline.plan`.
"""
