import os
import tempfile

import pytest


def pytest_configure(config):
    # cfn-lint's findings are cached by template: the tests share a cache of their own, never the user's
    os.environ["IAMC_CACHE_DIR"] = tempfile.mkdtemp(prefix="iamc-test-cache-")


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden/*/expected from what iamc produces now",
    )


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")
