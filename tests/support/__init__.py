"""Test helpers shared by the suites (builders, fakes, servers)."""
