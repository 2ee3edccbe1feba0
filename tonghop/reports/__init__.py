"""Renderers: each turns data already computed (reports, consolidations) into one output format."""
