"""Declarative side of tonghop: the indicator catalogue, the form's labels, Pandera schemas built from them."""
