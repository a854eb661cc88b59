"""`cmteb run --ray [ADDRESS]`: the Ray executor (`pip install 'cmteb[ray]'`). The run's units to
do on Ray actors; each unit's scores go back to the run's `finish`, which writes the result in this
driver.

The run has already skipped the finished units; this executor turns the others into jobs
(`jobs.py`), runs them on `workers` actors (`scheduler.py`, `worker.py`) and hands each unit to
`finish` as soon as its jobs are done (or failed). Task data and models go to the workers through
Ray's object store, so workers need no access to `--data-dir`; they do need cmteb (same version)
and the model (same hub cache or folder path) on every node.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from cmteb.config import RunConfig
from cmteb.data.types import TaskData
from cmteb.distributed.jobs import UnitWork, assemble, chunked_work, is_chunked, whole_task_work
from cmteb.distributed.options import RayOptions
from cmteb.distributed.progress import ClusterProgress
from cmteb.distributed.scheduler import Scheduler
from cmteb.distributed.worker import UnitWorker
from cmteb.errors import UserError
from cmteb.pipeline.plan import Plan, Unit, model_key
from cmteb.pipeline.task import Finish, TaskScores

log = logging.getLogger("cmteb")


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise UserError(f"--ray needs Ray: pip install 'cmteb[ray]' ({exc})") from exc
    return ray


def connect(ray: Any, options: RayOptions) -> bool:
    """Join the Ray instance to use; True when this call started or joined it (shut it down after).

    An already initialised Ray (e.g. a notebook's) is used as it is. No address: a local instance
    with this machine's CPUs (at least workers x cpus_per_worker). Else `ray.init(address=...)`.
    """
    if ray.is_initialized():
        return False
    verbose = log.isEnabledFor(logging.INFO)
    if options.address is None:
        wanted = (options.workers or 0) * options.cpus_per_worker
        ray.init(num_cpus=max(os.cpu_count() or 1, wanted), include_dashboard=False,
                 log_to_driver=verbose)
    else:
        try:
            ray.init(address=options.address, log_to_driver=verbose)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise UserError(f"--ray {options.address}: cannot connect to the Ray cluster: {exc}") from exc
    return True


def worker_resources(ray: Any, options: RayOptions, device: str, jobs: int) -> tuple[int, dict[str, Any]]:
    """(number of actors, actor options): one GPU each with a CUDA device, else CPU slots."""
    if "," in device:
        raise UserError(f"--device {device} with --ray: each Ray worker gets one GPU; use --device cuda")
    resources = ray.cluster_resources()
    restarts = {"max_restarts": options.max_restarts, "max_task_retries": options.max_restarts}
    if device.startswith("cuda"):
        gpus = int(resources.get("GPU", 0))
        if gpus == 0:
            raise UserError("--device cuda with --ray: the Ray cluster has no GPU")
        workers = options.workers or gpus
        actor = {"num_gpus": 1, "num_cpus": options.cpus_per_worker, **restarts}
    else:
        workers = options.workers or max(1, int(resources.get("CPU", 1)) // options.cpus_per_worker)
        actor = {"num_cpus": options.cpus_per_worker, **restarts}
    return max(1, min(workers, jobs)), actor


def plan_work(ray: Any, units: list[Unit], data: dict[str, TaskData], corpus_chunk: int) -> list[UnitWork]:
    """Each unit's jobs; models and whole-task data are put in the object store once each."""
    model_refs: dict[str, Any] = {}
    data_refs: dict[str, Any] = {}
    works = []
    for unit in units:
        model, task = model_key(unit.model), unit.task.spec.name
        if model not in model_refs:
            model_refs[model] = ray.put(replace(unit.model, _encoder=None))
        if is_chunked(unit, data[task], corpus_chunk):
            works.append(chunked_work(unit, data[task], model_refs[model], corpus_chunk))
            continue
        if task not in data_refs:
            data_refs[task] = ray.put(data[task])
        works.append(whole_task_work(unit, model_refs[model], data_refs[task]))
    return works


def run_on_ray(
    units: list[Unit], plan: Plan, data: dict[str, TaskData], config: RunConfig, finish: Finish
) -> None:
    """Run `units` on Ray (the `ray` executor of `pipeline.run`); hands each to `finish` once."""
    assert config.ray is not None
    ray = import_ray()
    owned = connect(ray, config.ray)
    try:
        _run_units(ray, units, plan, data, config, finish)
    finally:
        if owned:
            ray.shutdown()


def _raising(error: BaseException) -> Callable[[], TaskScores]:
    def scores() -> TaskScores:
        raise error

    return scores


def _run_units(
    ray: Any, units: list[Unit], plan: Plan, data: dict[str, TaskData], config: RunConfig,
    finish: Finish,
) -> None:
    assert config.ray is not None
    device = config.model_options.device
    works = plan_work(ray, units, data, config.ray.corpus_chunk)
    jobs = sum(len(w.jobs) for w in works)
    workers, actor_options = worker_resources(ray, config.ray, device, jobs)
    actor_class = ray.remote(UnitWorker).options(**actor_options)
    progress = ClusterProgress(len(works), jobs, workers, enabled=config.show_progress)

    def on_unit(work: UnitWork, values: dict[str, Any] | None, error: BaseException | None) -> None:
        scores = partial(assemble, work, values, plan.protocol) if error is None else _raising(error)
        progress.unit_done(failed=not finish(work.unit, scores))

    Scheduler(ray, lambda: actor_class.remote(plan, config), workers, progress).run(works, on_unit)
