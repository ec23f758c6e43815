"""Impact: affected users, cut-offs, the connectivity index and disrupted services, from a run trace."""
