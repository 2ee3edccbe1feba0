"""The hostile-input corpus: bad, broken, huge and malicious files built by code, with the answer each must get."""
