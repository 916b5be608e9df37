"""The intake (医保局): the registry of insured people, settlement imports, screening runs and their
warning targets, and the MSB's desk."""
