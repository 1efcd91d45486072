# chronolens — set-up, build, demo and tests on Debian 12.
#   make demo   installs missing packages, builds, runs the main job (chronolens report) on the
#               bundled default model and its early checkpoint with induction heads, and prints
#               the path of the page
#   make test   installs missing packages, builds, runs every test, then again under
#               ASan+UBSan (build-asan/) with the fuzz corpora replayed
#   make bench  benchmarks (not part of the tests)
#   make fuzz   libFuzzer on every input parser, FUZZ_SECONDS each (default 60); fails on
#               any crash, sanitizer report, leak or timeout (crashes in build-fuzz/artifacts)

BUILD ?= build
JOBS  ?= $(shell nproc)
# slurm-wlm, munge: tests/slurm_shard.sh, which starts a Slurm and a munged of its own in a temp
# folder (the packaged slurmctld/slurmd find no /etc/slurm/slurm.conf and stay down)
PKGS  := build-essential cmake pkg-config libopenblas-dev liblapacke-dev libcjson-dev \
         libcmocka-dev libfftw3-dev libcairo2-dev libpng-dev libdnnl-dev chromium clang libclang-rt-14-dev \
         python3-numpy python3-pandas python3-pytest python3-venv slurm-wlm munge
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CLI   := $(BUILD)/chronolens

# the sanitizer build (ASan + UBSan) that `make test` also runs, and the libFuzzer build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# gcc, the compiler of the normal build (clang 14 lacks _Float16 on x86-64, used by tests)
SAN_CC     ?= gcc
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= safetensors config csv_context csv_ids options model_index cli_options npy scores
LSAN_SUPP  := $(CURDIR)/tests/sanitizer/lsan.supp

.PHONY: all deps build test test-asan demo bench fuzz clean

all: build

deps:
	@missing=""; for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@# the report page's plotting library (package.json, pinned by package-lock.json): npm from
	@# Debian (nodejs npm) where no node is installed, then npm ci when node_modules lacks it
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  $(SUDO) apt-get install -y -qq nodejs npm; }
	@[ -f node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js ] || npm ci --no-audit --no-fund

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory test-asan

# unit + golden tests and the fuzz corpora replayed under AddressSanitizer + UBSan
test-asan: deps
	@[ -f $(ASAN_BUILD)/CMakeCache.txt ] || CC=$(SAN_CC) cmake -S . -B $(ASAN_BUILD) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCL_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# Each target runs FUZZ_SECONDS on a working corpus seeded from tests/fuzz/corpus/<t>
# (new inputs land in $(FUZZ_BUILD)/corpus, never in the repository). A crash leaves
# its input in $(FUZZ_BUILD)/artifacts/<t>/: fix it, then add the input to
# tests/fuzz/corpus/<t>/ as regress-*.
fuzz: deps
	@# configured every time: a target added since the last run must be known by name
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCL_SANITIZE=ON -DCL_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts/$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  LSAN_OPTIONS=suppressions=$(LSAN_SUPP) UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t/ $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t \
	    > $(FUZZ_BUILD)/fuzz_$$t.log 2>&1 \
	  || { tail -n 40 $(FUZZ_BUILD)/fuzz_$$t.log; echo "fuzz_$$t FAILED (log: $(FUZZ_BUILD)/fuzz_$$t.log)"; exit 1; }; \
	  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" $(FUZZ_BUILD)/fuzz_$$t.log | tr '\n' ' '; echo; \
	done

# the bundled model beside its own training run stopped at step 1,000, whose decoder has 4
# induction heads >= 0.3 (models/chronos-nano-early/MODEL_CARD.md): the page shows the phenomenon
demo: build
	$(CLI) report --model models/chronos-nano --model models/chronos-nano-early --out $(BUILD)/report \
	  >$(BUILD)/report-path.txt
	@echo "report written: open file://$$(cat $(BUILD)/report-path.txt)"

bench: build
	bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
