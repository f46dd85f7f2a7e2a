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

# SLOW: tests that run once, without the race detector (which slows them
# sevenfold to twenty-fivefold), in make test's third step (SLOWPKGS). Each is one of:
# - a statistical or end-to-end test that only simulates, its runs in one
#   goroutine each (nothing of its own to race): the coverage tests, the
#   notebooks, model's closed-form oracles (TestOracleSingleTarget,
#   TestOracleFleetRouting: 37 s of CPU under -race, 1.5 s without), Erlang
#   and backlog checks, property test, arrival-rate limit, stationary-start
#   comparison, estimate-against-simulation, keep-alive race, least
#   outstanding requests, many classes, fast path and its regeneration,
#   the rare-event and conditional samplers' agreement with plain sampling
#   (88, 25, 7 and 80 s under -race), and scenarios' built-ins, field
#   reports and days;
# - a test of what a sweep recommends, whose concurrency is the worker pool
#   that sweep's remaining race-run tests (TestRecommend,
#   TestDelaysIndependentOfWorkers, TestRecommendConditional, its cells,
#   lookup and cancel tests) and the root package's shard, resume, progress
#   and cancel tests already drive: TestRecommendationReportsWhatItJudged,
#   TestCommonRandomNumbersMonotone, TestCostOptimumConsidersEveryEvaluatedDelay,
#   TestSweepDefaultsFromScenario, TestGobRoundTrip and every Example (the
#   root package's examples run whole sweeps: 36–69 s each under -race on a
#   loaded machine, about 1 s without);
# - TestHAProxy (the reduced check against a real HAProxy, about 45 s of
#   wall clock), which measures timing the race detector would distort; it
#   runs in the background (see test).
# TestSlowTestsRun (race_test.go) fails if a test this names is in a
# package that SLOWPKGS lacks (so that it would never run).
SLOW := ^(Example.*|TestCoverage.*|TestCapacityPlanningNotebook|TestFleetPlanningNotebook|TestHAProxy|TestGobRoundTrip|TestFieldReports|TestDiurnalAPIDay|TestReviewProperties|TestArrivalRateAtMaximum|TestStationaryStartMatchesWarmUp|TestEstimateAgreesWithSimulation|TestKeepAliveRaceClosedForm|TestLeastOutstandingRequestsBalances|TestFixedManyClassesPanic|TestBuiltinsRun|TestFastPathMatchesFull|TestFastPathRegenerates|TestECSDiurnalDay|TestSweepOfADay|TestConditionalUnbiased|TestRareLagRun|TestRareLagUnbiased|TestConditionalAgreesHeavyTail|TestOracleSingleTarget|TestOracleFleetRouting|TestErlangC|TestLatencyErlangC|TestBacklogLivesLonger|TestRecommendationReportsWhatItJudged|TestCommonRandomNumbersMonotone|TestCostOptimumConsidersEveryEvaluatedDelay|TestSweepDefaultsFromScenario)$$
SLOWPKGS := . ./model ./scenarios ./sweep ./docs/notebooks

# Packages tested without the race detector (make test runs every one of
# their tests once, without -race): their non-test code starts no goroutine
# and holds no lock or atomic (sync.Once* aside), and their package-level
# variables are read-only tables, so -race can find nothing in them that
# their tests do not add; it slowed their tests up to sevenfold (chart's PNG
# encoding: 27 s of CPU under -race). plot is chart's facade over
# drainsim's results; sim is the event engine (one per run), whose
# reference test took 69 s under -race at load 13. Their code runs
# concurrently only inside the packages that start goroutines (sweep's
# workers, internal/cli, the root package), whose tests stay under -race
# and run many engines at once (docs/performance.md, "Test suite time").
# cmd/drainsim and awsimport are here so that the race build need not
# compile what only they link (the AWS SDK's clients, gonum/plot: about a
# minute of the 2 cores on an empty build cache, docs/performance.md,
# "make test cold"); cmd/drainsim's concurrent parts (the checkpoint store its
# sweep's workers write to, Ctrl-C handling, the checked writer) live in
# internal/cli, which is race-tested under a real worker pool.
# TestNoRacePackagesStartNoGoroutines (race_test.go) reads this line and
# fails if one of these packages' non-test code gains a go statement, a
# lock or an atomic.
NORACE := chart metrics report accesslog plot sim awsimport cmd/drainsim
MODULE := github.com/drainsim/drainsim
RACEPKGS = $(filter-out $(addprefix $(MODULE)/,$(NORACE)),$(shell $(GO) list $(PKGS)))

## test: vet, the tests under the race detector, the goroutine-free packages (NORACE) and the slow simulation-only tests (SLOW) without it, the real-HAProxy check beside them (what CI runs)
# awsimport's tests start moto_server on a free loopback port and stop it
# themselves (they skip without it, except under CI).
# TestHAProxy (about 45 s of wall clock, mostly waiting on real time) runs
# in the background from the start, beside the CPU-bound race run; its
# output is printed at the end and its failure fails make test. Its checks
# correct for the timing it measures (docs/performance.md, "Test suite
# time", on why the load does not make it flaky), and the CPU-bound runs
# beside it run at a lower priority (nice), so that its clients, servers
# and timers are scheduled as soon as they wake.
# TESTFLAGS: -vet=off because make test runs the whole go vet first (every
# analyzer, on every package); the subset go test would run again costs, on
# an empty build cache, a vet pass over every dependency (std, gonum, the
# AWS SDK) for each build mode: about 30 s of the race build alone
# (docs/performance.md, "make test cold").
TESTFLAGS := -count=1 -vet=off
test: vet
	@hap=$$(mktemp); \
	echo "$(GO) test $(TESTFLAGS) -run '^TestHAProxy\$$' ./validation/haproxy (in the background; its output follows)"; \
	$(GO) test $(TESTFLAGS) -run '^TestHAProxy$$' ./validation/haproxy >"$$hap" 2>&1 & pid=$$!; \
	st=0; \
	echo "nice -n 10 $(GO) test -race $(TESTFLAGS) -skip '$(SLOW)' [$(PKGS) but $(NORACE)]"; \
	nice -n 10 $(GO) test -race $(TESTFLAGS) -skip '$(SLOW)' $(RACEPKGS) || st=1; \
	echo "nice -n 10 $(GO) test $(TESTFLAGS) $(addprefix ./,$(NORACE))"; \
	nice -n 10 $(GO) test $(TESTFLAGS) $(addprefix ./,$(NORACE)) || st=1; \
	echo "nice -n 10 $(GO) test $(TESTFLAGS) -run '$(SLOW)' $(SLOWPKGS)"; \
	nice -n 10 $(GO) test $(TESTFLAGS) -run '$(SLOW)' $(SLOWPKGS) || st=1; \
	wait $$pid || st=1; \
	echo "TestHAProxy (./validation/haproxy, run in the background):"; cat "$$hap"; rm -f "$$hap"; \
	exit $$st

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
