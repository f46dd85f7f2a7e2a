# drainsim — see README.md. `make help` lists the targets.
GO       ?= go
PKGS     := ./...
FUZZTIME ?= 30s

.PHONY: help build demo test race check vet fmt tidy bench fuzz clean docs docs-figures validate-lb

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'

## build: build the drainsim binary into ./bin/
build:
	$(GO) build -buildvcs=auto -o bin/drainsim ./cmd/drainsim

## demo: sweep the built-in payments-api scenario (table on stdout; results.csv, results.json and PNGs in results/)
demo:
	$(GO) run ./cmd/drainsim sweep payments-api --replications 30 --max-p-any-drop 0.05 --until-decided --max-replications 480 --out results/

# The statistical and end-to-end tests that only simulate (no goroutines of
# their own to race) run once without the race detector, which slows them
# tenfold: the coverage tests, the docs figures, the notebook and the signal
# soak (which re-runs the test binary as the CLI). TestHAProxy (the reduced
# check against a real HAProxy, about 45 s) measures wall-clock timing, which
# the race detector would distort.
# The root package's whole-sweep examples and plot/gob tests go there too:
# under the race detector they took 36–69 s each on a loaded machine (1.3 s
# or less without it, docs/performance.md), and the worker pool they drive
# is race-tested by ./sweep's own tests. So do the field-report suite and
# diurnal-api's and ecs-diurnal's days and the sweep of two hours of one (single-threaded simulations: 20 s and 40 s under the
# race detector), and model's property test, arrival-rate limit and
# stationary-start comparison (20, 8 and 5 s under it: one runner, one
# goroutine).
SLOW := ^(TestCoverage.*|TestDocsFigures|TestDocsImages|TestCapacityPlanningNotebook|TestFleetPlanningNotebook|TestSweepSoak|TestHAProxy|ExampleScenario_Sweep|Example|TestPlots|TestGobRoundTrip|TestFieldReports|TestDiurnalAPIDay|TestECSDiurnalDay|TestSweepOfADay|TestReviewProperties|TestArrivalRateAtMaximum|TestStationaryStartMatchesWarmUp)$$

## test: vet, then all tests with the race detector, and the slow simulation-only ones without it (what CI runs)
# awsimport's tests start moto_server on a free loopback port and stop it
# themselves (they skip without it, except under CI).
test: vet
	$(GO) test -race -count=1 -skip '$(SLOW)' $(PKGS)
	$(GO) test -count=1 -run '$(SLOW)' . ./model ./plot ./scenarios ./sweep ./cmd/drainsim ./docs/notebooks ./validation/haproxy

## validate-lb: the full validation against a real HAProxy on loopback (about 15 min); writes results/validation-lb.md (docs/validation.md shows it)
validate-lb:
	mkdir -p results
	$(GO) test -count=1 -timeout 70m -run '^TestHAProxy$$' -v ./validation/haproxy -full -out $(CURDIR)/results/validation-lb.md

## docs: regenerate the figures quoted in README.md and docs/*.md and the images in docs/img from the code (TestDocsFigures and TestDocsImages check them in make test)
docs:
	$(GO) test -count=1 -run '^TestDocs(Figures|Images)$$' ./cmd/drainsim -update-docs

## docs-figures: the same as make docs
docs-figures: docs

## race: the tests with the race detector only
race:
	$(GO) test -race $(PKGS)

## check: vet, gofmt and go mod tidy must be clean
check: vet fmt tidy

vet:
	$(GO) vet $(PKGS)

fmt:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

tidy:
	$(GO) mod tidy -diff

## bench: run the benchmarks (record results in docs/performance.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## fuzz: fuzz the engine, the scenario loader and scenario → run for FUZZTIME each
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzEngine -fuzztime $(FUZZTIME) ./sim
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./scenarios
	$(GO) test -run '^$$' -fuzz FuzzScenarioRun -fuzztime $(FUZZTIME) ./scenarios

## clean: remove build outputs
clean:
	rm -rf bin results
