"""The demo county's rows: one dataclass per table, its fields named as the table's columns
(``seed.load`` writes them as they are)."""
