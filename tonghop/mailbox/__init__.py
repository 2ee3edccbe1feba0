"""Mailbox: submissions taken from the consolidator's IMAP mailbox into the inbox folder, with their arrival times."""
