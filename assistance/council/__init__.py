"""The council (理事会): assistance schemes, meetings, resolutions costed and fitted to the budget, and
their signing."""
