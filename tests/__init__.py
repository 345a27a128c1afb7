"""kefu's tests; the code they share lives in tests/support."""

import pytest

# Shared test code asserts too: pytest explains its failed asserts as it does a test's own.
pytest.register_assert_rewrite("tests.support")
