"""STAND-IN for pycuda, for tests on machines without CUDA. Not pycuda: see ``driver``."""

VERSION = (2022, 2, 2)
VERSION_TEXT = "2022.2.2"
