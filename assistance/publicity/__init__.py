"""公示 and 异议: a signed resolution's approved beneficiaries posted for the public before money
moves, the objections anyone may raise against an entry, and their investigation and decision."""
