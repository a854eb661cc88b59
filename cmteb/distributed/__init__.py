"""Scale-out: the work units of a run, `--shard I/N` slices, the Ray backend and `cmteb merge`.

`units.py` (which (model, task) pairs a run does, and a shard's slice) and `options.py` import
nothing heavy; `ray_backend.py` imports Ray only when `--ray` is used.
"""
