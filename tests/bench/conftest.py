import pytest


def pytest_collection_modifyitems(items):
    # Minutes of generated books: left out of the default run (`make test-bench` runs them).
    for item in items:
        if "tests/bench/" in str(item.fspath):
            item.add_marker(pytest.mark.bench)
