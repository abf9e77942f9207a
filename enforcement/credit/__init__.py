"""Credit measures on debtors (失信、限高), credit repair, judicial aid."""
