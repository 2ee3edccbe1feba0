"""The Sơn La sample round's generator: its figures, the formats units send, and the sample configuration's communes."""
