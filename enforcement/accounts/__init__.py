"""Who may sign in and who is calling: sign-in, tokens and devices, the caller, profiles."""
