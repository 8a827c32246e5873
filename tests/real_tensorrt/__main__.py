"""``python -m tests.real_tensorrt``: rewrite tests/stand_ins/surfaces/ from the real wheels."""

from tests.real_tensorrt import SURFACES, write_excerpts

write_excerpts()
print("wrote the real surfaces to", SURFACES)
