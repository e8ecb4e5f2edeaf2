"""Background work, run by `manage.py db_worker` (django.tasks, database backend).

Task arguments are stored in the database: they never carry content or a key.
The re-wrap receives only a cache handle and a ciphertext (vault/rotation.py).
"""

from __future__ import annotations

from django.tasks import task


@task
def rewrap_reports(*, old_key_id: str, new_key_id: str, handle: str, sealed: str, actor: str) -> str:
    """Move report data keys from an old organisation key to the new one; retire the old key."""
    from casework import orgkey

    return orgkey.run_rewrap_task(
        old_key_id=old_key_id, new_key_id=new_key_id, handle=handle, sealed=sealed, actor=actor
    )


@task
def purge_expired() -> int:
    """Crypto-shred every report kept longer than its status's retention rule."""
    from casework import retention

    return retention.purge_expired()


@task
def delete_expired_invitations() -> int:
    """Delete every invitation past its expiry, used or not (casework/invitations.py)."""
    from casework import invitations

    return invitations.delete_expired()
