"""The examples in the extraction modules' docstrings are run, so they stay true."""
import doctest
import importlib

import pytest

MODULES = ["kg_build.outline", "kg_build.outline_markers", "kg_build.paragraphs", "kg_build.units",
           "kg_build.dates", "kg_build.iris", "kg_build.numerals", "kg_build.reading"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
