"""复核: a family refused (认定不符合) or disagreeing with its amount asks for a review; someone
other than the original decider upholds the decision or reopens the case at the right step."""
