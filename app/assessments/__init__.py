"""Decisions and their vitality assessments: screening, alternatives, ratings, review, follow-up."""
