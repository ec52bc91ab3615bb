"""Pre-aggregated portfolio of approved assessments: impacts per quarter, perspective and target."""
