"""The fund's transparency log, wired into publication: every published statement appends leaves (its
document and each public row), every public file's record appends one, and each append ends in a
checkpoint signed with the fund's key (a file, never a row) and sent to the witnesses to cosign.

- keys.py: the fund's key from its secret file, the witnesses from settings.
- leaves.py: the exact bytes of each leaf.
- log.py: appending and signing (callers hold the chain head's lock).
- proofs.py: reading proofs and checkpoints back, for the pages and the downloads.
- witnesses.py: asking the witnesses (c2sp.org/tlog-witness) and recording what they answered.
- checks.py: what verify reports about the log.

The tree, notes and proofs themselves are disclosure/tlog.py (Django-free: it is the offline verifier).
"""
