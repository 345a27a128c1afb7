"""Code the tests share that is not a fixture: fakes, helpers, and the test harness itself."""
