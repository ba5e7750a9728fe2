import logging

import pytest


@pytest.fixture
def security_log(caplog):
    """The `inventera.security` log's records (the logger does not propagate to the root,
    where caplog listens, so caplog's handler is put on it too)."""
    logger = logging.getLogger("inventera.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="inventera.security")
    yield caplog
    logger.removeHandler(caplog.handler)


def events(caplog, name: str | None = None) -> list[dict]:
    """The security events logged so far (each its fields), all or those named `name`."""
    found = [r.security for r in caplog.records if r.name == "inventera.security"]
    return [e for e in found if name is None or e["event"] == name]
