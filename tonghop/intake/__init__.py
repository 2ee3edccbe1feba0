"""Intake: submissions taken from the consolidator's mailbox into the inbox folder, with their arrival times."""
