"""Intake: files arrive, are inspected within bounds and read."""
