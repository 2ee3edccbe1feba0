"""Check: every row and header of a read file against the catalogue's rules, as coded problems."""
