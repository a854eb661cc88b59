"""Run units' jobs on a pool of Ray actors; report each unit as it completes or fails.

Policy:
- One job in flight per worker; a free worker takes the first ready job (its `after` jobs are
  done) of the model it already holds, else the first ready job (so models are switched rarely).
- A lost worker (process killed, node gone) is restarted by Ray and its in-flight job retried
  (`max_restarts` / `max_task_retries` of the actor): only that job runs again. When Ray gives up,
  the job's unit fails and a fresh worker replaces the dead one.
- A job that raises fails its unit with that exception (the run's `finish` turns it into the
  unit's outcome, as for a local run: a `UserError` stops the run); the unit's other jobs are
  dropped and every other unit still runs.
- When the run ends, however it ends, every actor it started is killed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cmteb.distributed.jobs import After, Job, UnitWork
from cmteb.distributed.progress import ClusterProgress
from cmteb.errors import TaskError

# on_unit(work, values by job id, None) when done, or (work, None, the exception) when failed.
UnitCallback = Callable[[UnitWork, dict[str, Any] | None, BaseException | None], None]


@dataclass
class Slot:
    actor: Any
    model: str | None = None  # the model key of the last job it ran


class Scheduler:
    def __init__(self, ray: Any, make_actor: Callable[[], Any], workers: int,
                 progress: ClusterProgress) -> None:
        self._ray, self._make_actor, self._progress = ray, make_actor, progress
        self._actors: list[Any] = []  # every actor started, killed when the run ends
        self._idle = [self._new_slot() for _ in range(workers)]

    def _new_slot(self) -> Slot:
        self._actors.append(self._make_actor())
        return Slot(self._actors[-1])

    def run(self, works: list[UnitWork], on_unit: UnitCallback) -> None:
        self._works = {w.key: w for w in works}
        self._values: dict[str, dict[str, Any]] = {w.key: {} for w in works}
        self._pending = [job for w in works for job in w.jobs]
        self._refs: dict[str, Any] = {}  # job id -> ObjectRef of its value
        self._failed: set[str] = set()
        self._inflight: dict[Any, tuple[Job, Slot]] = {}
        self._on_unit = on_unit
        try:
            while self._pending or self._inflight:
                self._dispatch()
                if not self._inflight:  # nothing can start: dependencies of failed units only
                    break
                [ref], _ = self._ray.wait(list(self._inflight), num_returns=1)
                job, slot = self._inflight.pop(ref)
                self._collect(job, slot, ref)
        finally:  # also on Ctrl-C or a UserError: free the workers of a cluster we only joined
            for actor in self._actors:
                self._ray.kill(actor)

    def _dispatch(self) -> None:
        self._pending = [j for j in self._pending if j.unit not in self._failed]
        while self._idle:
            ready = [j for j in self._pending if all(a in self._refs for a in j.after)]
            if not ready:
                return
            slot = self._idle.pop(0)
            job = next((j for j in ready if j.model == slot.model), ready[0])
            self._pending.remove(job)
            args = [self._refs[a.job_id] if isinstance(a, After) else a for a in job.args]
            ref = getattr(slot.actor, job.method).remote(*args)
            slot.model = job.model
            self._inflight[ref] = (job, slot)

    def _collect(self, job: Job, slot: Slot, ref: Any) -> None:
        exceptions = self._ray.exceptions
        task = self._works[job.unit].unit.task.spec.name
        try:
            value = self._ray.get(ref)
        except exceptions.RayActorError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self._fail(job, TaskError(f"task {task}: worker lost while running {job.id}, retries "
                                      f"exhausted ({first_line})"))
            slot = self._new_slot()
        except exceptions.RayTaskError as exc:
            self._fail(job, exc.cause if exc.cause is not None else exc)
        else:
            self._done(job, ref, value)
        self._idle.append(slot)

    def _done(self, job: Job, ref: Any, value: Any) -> None:
        if job.unit in self._failed:
            return
        self._refs[job.id] = ref
        self._values[job.unit][job.id] = value
        work = self._works[job.unit]
        complete = len(self._values[job.unit]) == len(work.jobs)
        self._progress.job_done(getattr(value, "texts", 0), unit_follows=complete)
        if complete:
            values = self._values.pop(job.unit)
            for done in work.jobs:  # let Ray free what later jobs no longer need
                self._refs.pop(done.id, None)
            self._on_unit(work, values, None)

    def _fail(self, job: Job, error: BaseException) -> None:
        if job.unit in self._failed:
            return
        self._failed.add(job.unit)
        self._values.pop(job.unit, None)
        for other in self._works[job.unit].jobs:
            self._refs.pop(other.id, None)
        self._on_unit(self._works[job.unit], None, error)
