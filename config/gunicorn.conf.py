# Production gunicorn settings. Access logs are off: an access log is a list of
# client addresses and times, exactly what a subpoena or a thief would want.
import importlib
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = None
errorlog = "-"
loglevel = "warning"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 4094
limit_request_fields = 100
# Load Harbor once in the master, warm (intake/warmup.py: the redactor compiled, the policy
# data read), then fork the workers: a fresh worker, and one started to replace a worker that
# died, serve their first reporter without the few seconds of start-up. The port is opened only
# after the warm-up. Nothing in the master opens a database or cache connection before the fork
# (Django opens them per request). A reload (HUP) restarts the workers from the master's code:
# after an upgrade restart the service (docs/operations.md says `systemctl restart`).
preload_app = True


def on_starting(server):
    """Read Harbor's settings in the master, before any socket is opened.

    The settings refuse an unsafe production configuration at import
    (config/invariants.py). Without this, gunicorn would bind the port and
    only its workers would fail; now the master exits first, naming every
    problem, and nothing ever listens.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])


# No control socket (gunicorn 25 and later make one in $HOME): systemd is the only thing that
# manages Harbor's processes, and under ProtectSystem the socket could not be created anyway.
control_socket_disable = True
