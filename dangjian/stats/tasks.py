"""Background work: flushing view counts on a schedule (django-tasks)."""

from django_tasks import task

from dangjian.stats.counting import flush_views


@task()
def flush_views_task() -> int:
    return flush_views()
