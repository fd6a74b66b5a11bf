"""netlint: a linter for outreach messages (cold emails, LinkedIn notes, referral asks, templates)."""

__version__ = "0.1.0"
