# infoplane — the two README commands and their helpers.
#   make run     bootstrap (only what the default experiment needs), release build, run the default experiment (experiments/quick.yaml):
#                train, analyse, plot (results/quick/, plots/quick/)
#   make test    bootstrap --test (also h5dump, Chromium, the .venv), build the tests optimised, run the whole suite
#   make bench   release benchmarks, with PyTorch / numpy ratios when those are installed
#   make fuzz    the fuzzer of `make test` with thousands of cases (INFOPLANE_FUZZ_CASES per format)
#   make cluster-test  the tests that run docs/cluster.md on a one-node Slurm, with the time-limit case
#                that make test skips (it keeps both processors busy for 2.5 minutes)
SHELL := /bin/bash
RELEASE := .build/release
TEST_FLAGS := -c release -Xswiftc -enable-testing

.PHONY: run test bench reproduce build bootstrap bootstrap-test clean fuzz cluster-test

bootstrap:
	@scripts/bootstrap

bootstrap-test:
	@scripts/bootstrap --test

build: bootstrap
	swift build -c release --product infoplane

run: build
	$(RELEASE)/infoplane run experiments/quick.yaml --force
	$(RELEASE)/infoplane inspect results/quick/run-1.h5

test: bootstrap-test
	INFOPLANE_PYTHON=$(CURDIR)/.venv/bin/python swift test $(TEST_FLAGS)

cluster-test: bootstrap-test
	INFOPLANE_PYTHON=$(CURDIR)/.venv/bin/python INFOPLANE_SLURM_TIME_LIMIT=1 swift test $(TEST_FLAGS) --filter ClusterTests

FUZZ_CASES ?= 400
fuzz: bootstrap-test
	INFOPLANE_PYTHON=$(CURDIR)/.venv/bin/python INFOPLANE_FUZZ_CASES=$(FUZZ_CASES) swift test $(TEST_FLAGS) --filter FuzzTests

bench: bootstrap
	swift build -c release --product infoplane-bench
	$(RELEASE)/infoplane-bench

clean:
	rm -rf .build

# The 2017 authors' archived setting rerun (20 × 10000 epochs) and compared with their
# archived results, and Saxe et al. 2018's claims measured (tanh and ReLU, 5 × 10000
# epochs); figures in plots/reproduction/. Not part of `make test` (a reduced version is).
reproduce: build
	$(RELEASE)/infoplane reproduce
