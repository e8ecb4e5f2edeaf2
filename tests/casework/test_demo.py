"""`manage.py demo` prints how to get a demo account's two-step code; the command works as printed."""

from __future__ import annotations

import io
import os
import re
import subprocess

import pytest
from django.core.management import call_command
from django.test import override_settings

from casework.management.commands.demo import current_code

pytestmark = pytest.mark.django_db


def test_the_printed_code_command_works_exactly_as_printed(tmp_path):
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", reports=0, stdout=out)
    match = re.search(r"Current two-step code for a user: (.+)", out.getvalue())
    assert match, out.getvalue()
    printed = match.group(1).strip()
    assert printed.endswith("democode advocate")

    # Pasted into a shell in the same directory, with none of the test run's settings around it.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOR_", "DJANGO_", "DATABASE_"))}
    environment.pop("DEBUG", None)
    before = {current_code("advocate")}
    done = subprocess.run(  # noqa: S602 - the point is to run the line exactly as a person pastes it
        printed, shell=True, check=False, cwd=os.getcwd(), env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() in before | {current_code("advocate")}, done.stdout
