"""Grids on the map: GeoJSON layers, locating a point, vector tiles, and ``flask geo``."""
