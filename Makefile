# Convenience targets; the scripts in scripts/ do the work (they need only bash and the Swift toolchain).
.PHONY: deps build test demo release bench compare clean

deps:
	bash scripts/deps.sh

build: deps
	swift build

release: deps
	swift build -c release --product ksmscope

test:
	bash scripts/test.sh

demo:
	bash scripts/demo.sh

bench: release
	cd Benchmarks && swift package benchmark

compare: release
	bash Benchmarks/compare.sh

clean:
	rm -rf .build Benchmarks/.build
