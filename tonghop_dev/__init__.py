"""Development tools: sample and large-round generators, test builders, hostile corpus, benchmark (never imported by production)."""
