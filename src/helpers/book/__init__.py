"""The book layer (top): run plan, parameter validation, build, run records, CLI."""
