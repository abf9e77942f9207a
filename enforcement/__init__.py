"""The enforcement domain: tables, use cases, access policy and audit."""
