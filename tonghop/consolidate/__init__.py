"""Consolidate: the current submission of each unit, merged per indicator, against targets and outlook."""
