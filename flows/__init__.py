"""Prefect flows: thin orchestration over tonghop's plain functions (the only package importing Prefect)."""
