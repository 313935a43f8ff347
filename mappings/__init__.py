"""Partner-specific translation data (profiles, code lists, cross-references) and its engine.

Data lives beside this file (`codelists/`, `partners/<key>/`); the code that reads and applies
it is `mappings.engine`. Importing this package does no I/O.
"""
