# chronolens — set-up, build, demo and tests on Debian 12.
#   make demo   installs missing packages, builds, runs the main job (chronolens report) on the
#               bundled default model and prints the path of the page
#   make test   installs missing packages, builds, runs every test
#   make bench  benchmarks (not part of the tests)

BUILD ?= build
JOBS  ?= $(shell nproc)
PKGS  := build-essential cmake pkg-config libopenblas-dev liblapacke-dev libcjson-dev \
         libcmocka-dev libfftw3-dev libcairo2-dev chromium
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CLI   := $(BUILD)/chronolens

.PHONY: all deps build test demo bench clean

all: build

deps:
	@missing=""; for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	$(CLI) report --out $(BUILD)/report >$(BUILD)/report-path.txt
	@echo "report written: open file://$$(cat $(BUILD)/report-path.txt)"

bench: build
	bench/run.sh

clean:
	rm -rf $(BUILD)
