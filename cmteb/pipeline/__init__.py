"""The run pipeline shared by `cmteb run`, `cmteb.evaluate` and every executor; data flows one way:

    plan.py   what to do: tasks and their splits (TaskSelection -> Plan), the (model, task) units,
              a shard's slice of them
    task.py   one unit: embed, score (TaskScores), write its result; "already finished" rule
    run.py    run(config): plan -> load -> lock -> skip finished -> executor (local, or Ray in
              cmteb.distributed.ray_executor, which imports plan and task only) -> RunReport

Nothing here is imported by this `__init__`, so a Ray worker importing `pipeline.task` loads no
more than it needs.
"""
