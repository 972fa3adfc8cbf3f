"""What kind of removal a project is (biogenic or technological): for removals only."""

from __future__ import annotations

import pytest

from app.domain.shared.errors import InvalidValue
from tests.unit.builders import project


@pytest.mark.parametrize("kind", ["biogenic", "technological"])
def test_a_removal_names_its_kind(kind: str):
    assert project(mitigation="removal", removal_kind=kind).removal_kind == kind


def test_the_kind_is_optional_and_absent_by_default():
    assert project().removal_kind is None
    assert project(mitigation="removal").removal_kind is None


@pytest.mark.parametrize(
    ("mitigation", "kind"), [("reduction", "biogenic"), ("removal", "geological")]
)
def test_a_reduction_has_no_removal_kind_and_unknown_kinds_are_refused(mitigation, kind):
    with pytest.raises(InvalidValue) as refused:
        project(mitigation=mitigation, removal_kind=kind)
    assert refused.value.errors == {
        "removal_kind": ["biogenic or technological, for removals only"]
    }
