tests/bad
