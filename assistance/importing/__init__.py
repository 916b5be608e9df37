"""Settlement file import: streaming readers, row rules, and one loader per database."""
