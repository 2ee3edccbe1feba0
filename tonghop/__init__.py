"""tonghop — consolidate agencies' gender-equality reports for a province's Sở Nội vụ."""
__version__ = "0.1.0"
