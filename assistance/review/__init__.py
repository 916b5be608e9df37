"""The eligibility review (民政): review cases and their moves, household verification, deadlines
and overdue counts, and the civil-affairs desk."""
