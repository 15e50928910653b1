"""What the agent calls: the judge (loading, integrity, comparison, timing)."""
