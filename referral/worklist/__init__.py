"""The case manager's one worklist: transitions, follow-ups, rescreenings and goals, ranked."""
