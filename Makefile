PY ?= python

.PHONY: install test test-all lint
install:
	$(PY) -m pip install torch==2.13.0 -e ".[cpu,dev]"
test:
	$(PY) -m pytest
test-all:
	$(PY) -m pytest -m ""
lint:
	$(PY) -m pyflakes linknet_edge export runtime benchmarks
	$(PY) -m vermin -t=3.6- --violations --no-tips --eval-annotations linknet_edge export runtime benchmarks
