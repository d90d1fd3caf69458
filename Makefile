# Octopus HA. `make run` starts a local cluster, `make test` runs every test that needs no Docker.
SHELL := /bin/bash
.DEFAULT_GOAL := help

JDK := $(shell .mvn/find-jdk)
ifeq ($(JDK),)
$(error No JDK 21 or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm): install one or set JAVA_HOME)
endif
export JAVA_HOME := $(JDK)
MVN := ./mvnw -B -ntp

NODE_CP = node/target/classes:$$(cat node/target/runtime-classpath.txt)

.PHONY: help build test test-slow chaos run clean e2e images crds bench deploy

help:
	@echo "make run    - local cluster: embedded PostgreSQL, 3 nodes on 8081-8083, HAProxy on 8080 if installed"
	@echo "make test   - every test that runs without Docker"
	@echo "make test-slow - the long tests (a 2 GiB upload through a 128 MiB heap)"
	@echo "make chaos  - the long chaos suite (2000 tasks, 10 minutes of faults)"
	@echo "make build  - compile and package, no tests"
	@echo "make clean  - remove build output and local state"
	@echo "make bench  - benchmarks against baselines (BENCH_QUICK=1: short pass); table in node/target/bench/results.md"
	@echo "make e2e | images | crds | deploy - see README"

build:
	$(MVN) -DskipTests package

test:
	$(MVN) verify

test-slow:
	$(MVN) -pl node -am verify -Dtest.groups=slow -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false

chaos:
	$(MVN) -pl node -am verify -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false -Dchaos.tasks=2000 -Dchaos.seconds=600

run:
	$(MVN) -q -DskipTests -pl node -am package
	exec "$$JAVA_HOME/bin/java" -cp "$(NODE_CP)" io.octopusha.node.local.LocalCluster

clean:
	$(MVN) -q clean
	rm -rf .state

crds:
	$(MVN) -q -pl operator -am process-classes
	cp operator/target/classes/META-INF/fabric8/octopusclusters.octopusha.io-v1.yml crds/

bench:
	$(MVN) -q -DskipTests -pl node -am test-compile
	cd node && "$$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$$(cat target/test-classpath.txt)" io.octopusha.node.bench.Benchmarks

e2e images deploy:
	@echo "make $@: not yet implemented"; exit 2
