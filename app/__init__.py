"""Livskraft: vitality impact assessment for Nordic municipalities."""
