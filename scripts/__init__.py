"""Project scripts; a package so tests import them under one name (scripts.run_tests)."""
