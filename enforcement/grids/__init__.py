"""The map: placing reports in townships and village grids, grid layers, boundary
imports, and the urgent feed of a township."""
