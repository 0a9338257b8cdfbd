"""Care plans: a patient's needs, the goals agreed for them, and the timeline of their care."""
