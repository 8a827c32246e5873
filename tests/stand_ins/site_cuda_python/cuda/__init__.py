"""STAND-IN for cuda-python's ``cuda`` namespace (cuda-bindings 13 layout). Not cuda-python."""
