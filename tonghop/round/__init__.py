"""Round: one consolidation round's steps from inbox to e-mail, its run log and lock, and its schedule."""
