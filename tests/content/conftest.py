"""Shared set-up for the media tests: the `slow` marker."""


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs real models or decodes real media (seconds)")
