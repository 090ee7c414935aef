# Convenience targets; the scripts in scripts/ do the work (they need only bash and the Swift toolchain).
.PHONY: deps build test demo report release install uninstall bench compare fuzz clean

deps:
	bash scripts/deps.sh

build: deps
	swift build

release: deps
	bash scripts/release-build.sh >/dev/null

# Installs the release binary, one man page per command and bash/zsh/fish completions under
# $(DESTDIR)$(PREFIX) (scripts/install.sh lists them); uninstall removes them again.
PREFIX ?= /usr/local
DESTDIR ?=
install:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" bash scripts/install.sh install

uninstall:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" bash scripts/install.sh uninstall

test:
	bash scripts/test.sh

demo:
	bash scripts/demo.sh

# The demo's capacity plan as HTML, rendered by headless Chromium to a PNG and a PDF.
report:
	bash scripts/report.sh

bench: release
	cd Benchmarks && swift package benchmark

compare: release
	bash Benchmarks/compare.sh

# Runs each dump parser's libFuzzer harness for RUNS inputs (default 20000).
RUNS ?= 20000
fuzz:
	bash scripts/fuzz.sh $(RUNS)

clean:
	rm -rf .build Benchmarks/.build
