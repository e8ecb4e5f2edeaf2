"""The scheduler: each periodic task enqueued once when due, however many schedulers run, and run by the worker."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from audit import anchor
from audit.models import Event
from audit.services import record
from periodic import registry
from periodic.models import Schedule
from periodic.services import run_due

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TICK = registry.Periodic("test.tick", "tests.periodic.tasks.tick", every=600)


def run_worker(monkeypatch) -> None:
    """Run `manage.py db_worker --batch` in this process until the queue is empty.

    The worker closes "old" connections between tasks; inside a test's transaction
    that would close the test's own connection, so that one step is skipped here.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", "--queue-name", "*")


def _queued(task_path: str = TICK.task) -> int:
    return DBTaskResult.objects.filter(task_path=task_path).count()


@pytest.mark.django_db
def test_a_new_entry_is_due_at_once_and_then_once_per_interval(monkeypatch):
    assert run_due(T0, [TICK]) == ["test.tick"]
    assert run_due(T0, [TICK]) == []  # a second look, or a restarted scheduler: nothing new
    run_worker(monkeypatch)
    assert run_due(T0 + timedelta(seconds=599), [TICK]) == []  # not before it is due
    assert run_due(T0 + timedelta(seconds=600), [TICK]) == ["test.tick"]
    assert _queued() == 2
    assert Schedule.objects.get(name="test.tick").next_due == T0 + timedelta(seconds=1200)


@pytest.mark.django_db
def test_a_run_still_waiting_for_a_worker_is_not_enqueued_again(monkeypatch):
    run_due(T0, [TICK])
    for minutes in (10, 20, 30):  # the worker is down for half an hour
        assert run_due(T0 + timedelta(minutes=minutes), [TICK]) == []
    assert _queued() == 1
    run_worker(monkeypatch)
    assert run_due(T0 + timedelta(minutes=40), [TICK]) == ["test.tick"]
    assert _queued() == 2


@pytest.mark.django_db
def test_an_interval_of_zero_is_off():
    off = registry.Periodic("test.off", TICK.task, every=0)
    assert run_due(T0, [off]) == []
    assert not Schedule.objects.exists()
    assert _queued() == 0


@pytest.mark.django_db
def test_a_shortened_interval_takes_effect_at_once(monkeypatch):
    run_due(T0, [registry.Periodic("test.tick", TICK.task, every=86400)])
    run_worker(monkeypatch)
    assert run_due(T0 + timedelta(minutes=5), [TICK]) == []
    assert run_due(T0 + timedelta(minutes=15), [TICK]) == ["test.tick"]


@pytest.mark.django_db
def test_an_interval_can_come_from_a_function(settings, tmp_path):
    entry = registry.Periodic("test.head", "audit.tasks.export_head", every="audit.anchor.export_interval")
    settings.HARBOR_AUDIT_HEAD_FILE = None
    assert entry.interval() == 0
    settings.HARBOR_AUDIT_HEAD_FILE = str(tmp_path / "head.jsonl")
    settings.HARBOR_AUDIT_HEAD_EVERY = 120
    assert entry.interval() == 120


def test_every_registry_entry_resolves_to_a_task_and_an_interval(settings, tmp_path):
    settings.HARBOR_AUDIT_HEAD_FILE = str(tmp_path / "head.jsonl")
    for entry in registry.PERIODIC:
        assert entry.resolve().module_path == entry.task
        assert isinstance(entry.interval(), int)
    assert len({e.name for e in registry.PERIODIC}) == len(registry.PERIODIC)
    (head,) = [e for e in registry.PERIODIC if e.name == "audit.export_head"]
    assert head.interval() == 600


@pytest.mark.django_db
def test_a_second_scheduler_with_its_clock_ahead_finds_the_run_taken(monkeypatch):
    assert run_due(T0, [TICK]) == ["test.tick"]
    assert run_due(T0 + timedelta(seconds=30), [TICK]) == []
    run_worker(monkeypatch)
    assert run_due(T0 + timedelta(seconds=630), [TICK]) == ["test.tick"]
    assert run_due(T0 + timedelta(seconds=600), [TICK]) == []
    assert _queued() == 2


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database refuses a locked table instead of waiting; on SQLite "
    "writers are serialised anyway (BEGIN IMMEDIATE). Run on PostgreSQL (DATABASE_URL).",
)
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_racing_enqueue_each_run_exactly_once(monkeypatch):
    """Two scheduler processes (threads with their own connections) look at the same instant."""
    for round_ in range(4):
        now = T0 + timedelta(seconds=600 * round_)
        barrier = threading.Barrier(2)
        results: list[list[str]] = []
        errors: list[BaseException] = []

        def scheduler(now=now, barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait()
                results.append(run_due(now, [TICK]))
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=scheduler) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        assert sorted(results) == [[], ["test.tick"]], (round_, results)
        assert _queued() == round_ + 1
        run_worker(monkeypatch)


@pytest.mark.django_db
def test_the_head_export_runs_through_the_database_backend_and_the_worker(settings, tmp_path, monkeypatch):
    head_file = tmp_path / "audit-head.jsonl"
    settings.HARBOR_AUDIT_HEAD_FILE = str(head_file)
    for _ in range(3):
        record("dana-advocate", "login", "dana-advocate")
    newest = Event.objects.order_by("-seq").first()

    assert "audit.export_head" in run_due(T0)  # the real registry
    queued = DBTaskResult.objects.get(task_path="audit.tasks.export_head")
    assert queued.status == "READY"
    assert not head_file.exists()  # the scheduler only enqueues

    run_worker(monkeypatch)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == newest.seq
    assert head_file.read_text().count("\n") == 1
    check = anchor.check_heads(head_file)
    assert check.ok and check.newest.seq == newest.seq and check.newest.hash == newest.hash

    assert "audit.export_head" not in run_due(T0 + timedelta(minutes=9))
    assert "audit.export_head" in run_due(T0 + timedelta(minutes=10))


@pytest.mark.django_db
def test_the_scheduler_command_enqueues_what_is_due_once(settings, tmp_path):
    settings.HARBOR_AUDIT_HEAD_FILE = str(tmp_path / "audit-head.jsonl")
    out = StringIO()
    call_command("harbor_scheduler", "--once", stdout=out)
    assert "enqueued audit.export_head\n" in out.getvalue()
    again = StringIO()
    call_command("harbor_scheduler", "--once", stdout=again)  # restarted at once: nothing is due
    assert again.getvalue() == ""  # nothing at all is due again
    assert _queued("audit.tasks.export_head") == 1


@pytest.mark.django_db
def test_without_a_head_file_the_scheduler_enqueues_no_export():
    out = StringIO()
    call_command("harbor_scheduler", "--once", stdout=out)
    assert "audit.export_head" not in out.getvalue()
    assert _queued("audit.tasks.export_head") == 0


@pytest.mark.django_db
def test_a_due_purge_and_the_reporter_events_run_with_no_one_typing_a_command(monkeypatch, org_keys):
    """The scheduler enqueues the retention purge and the audit flush; the worker runs them."""
    from django.utils import timezone

    from casework.models import RetentionRule
    from intake.models import Report
    from tests.casework.admin_helpers import new_report

    RetentionRule.objects.create(status="closed", days=30)
    expired = new_report()
    Report.objects.filter(pk=expired.pk).update(status="closed", updated_at=timezone.now() - timedelta(days=31))
    kept = new_report()
    record("reporter", "report.consent_changed", kept.pk, coarse=True)
    later = timezone.now() + timedelta(hours=1)
    assert {"casework.purge_expired", "audit.flush_pending"} <= set(run_due(later))
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    run_worker(monkeypatch)
    assert list(Report.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Event.objects.filter(action="report.purged", object_id=expired.pk).exists()
    assert Event.objects.filter(actor="reporter", action="report.consent_changed", object_id=kept.pk).exists()
