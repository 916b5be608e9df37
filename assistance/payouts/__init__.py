"""The payouts (慈善总会): batches from signed resolutions, bank files, reconciliation of the bank's
results, and the fraud checks before money leaves the fund."""
