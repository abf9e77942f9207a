"""Linkage with other authorities (执行联动): requests to linkage units, joint punishment
notices, the red, white and black lists."""
