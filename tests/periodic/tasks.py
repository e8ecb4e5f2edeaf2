"""A periodic task for the scheduler tests: does nothing, so only the scheduling is tested."""

from django.tasks import task


@task
def tick() -> str:
    return "tick"
