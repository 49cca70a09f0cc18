"""
Periodic jobs, run by the delivery worker between deliveries. An app declares its jobs in a
``jobs`` module of its own with ``@every(seconds)``. Every worker runs them, so a job must be
safe to run twice at once (lock its rows, enqueue with a dedupe key).
"""

import logging
import time
from dataclasses import dataclass

from django.db import DatabaseError
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger("core.schedule")


@dataclass(frozen=True)
class Job:
    function: object
    seconds: float


_jobs = {}


def every(seconds):
    """Declare the decorated function a job to run every ``seconds``."""

    def decorator(function):
        _jobs[f"{function.__module__}.{function.__qualname__}"] = Job(function, seconds)
        return function

    return decorator


def jobs():
    autodiscover_modules("jobs")
    return dict(_jobs)


class Scheduler:
    """Runs each job when its time has come; a failing job is logged and tried next time."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.jobs = jobs()
        self.next_run = dict.fromkeys(self.jobs, 0.0)

    def run_due(self):
        for name, job in self.jobs.items():
            if self.clock() < self.next_run[name]:
                continue
            self.next_run[name] = self.clock() + job.seconds
            try:
                job.function()
            except DatabaseError:
                logger.warning("job %s failed on the database; retried next round", name)
