"""Fixtures for the task-definition tests."""

from __future__ import annotations

import pytest

from cmteb.tasks.registry import TaskRegistry, tasks_root


@pytest.fixture(scope="session")
def registry() -> TaskRegistry:
    """The registry of the repository's own `tasks/` folder."""
    return TaskRegistry(tasks_root())
