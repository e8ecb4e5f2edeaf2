from tests.casework.conftest import logged_in, staff  # noqa: F401 - shared staff fixtures
