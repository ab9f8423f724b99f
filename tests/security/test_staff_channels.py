"""Nobody can be registered, or found, by an identity on a channel that does not authenticate the person."""

from __future__ import annotations

import pytest

from casefile import CaseFile, Identity
from casefile.errors import CaseFileError

OPERATOR = Identity("terminal", "security-tests")


def test_a_rest_id_cannot_be_registered_or_used(tmp_path):
    store = CaseFile(f"sqlite:///{tmp_path / 'casefile.db'}")
    with pytest.raises(CaseFileError, match="channel must be one of: telegram, teams, terminal"):
        store.staff.add("Sam Patel", "service_manager", "North", {"rest": "sam"}, operator=OPERATOR)
    store.staff.add("Sam Patel", "service_manager", "North", {"terminal": "sam"}, operator=OPERATOR)
    assert store.staff.find_by_identity("terminal", "sam") is not None
    assert store.staff.find_by_identity("rest", "sam") is None
    with pytest.raises(CaseFileError, match="not registered"):
        store.find_records(Identity("rest", "sam"))
