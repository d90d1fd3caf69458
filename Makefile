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
	@echo "make images - node and operator image tarballs (Jib, no Docker daemon)"
	@echo "make e2e    - k3s end-to-end suite (needs Docker; skips without it)"
	@echo "make deploy - helm install the operator into the current kube-context"
	@echo "make bench  - benchmarks against baselines (BENCH_QUICK=1: short pass); table in node/target/bench/results.md"
	@echo "make crds   - regenerate the CRD into crds/ and the chart"

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
	cp crds/octopusclusters.octopusha.io-v1.yml charts/octopus-operator/crds/

# Image tarballs node/target/jib-image.tar and operator/target/jib-image.tar, built by Jib without a Docker daemon
# (the base image eclipse-temurin:21-jre-noble is pulled from its registry). `docker load -i` or
# `ctr -n k8s.io images import` them, or push with `./mvnw -pl node,operator package jib:build -Djib.to.image=...`.
images:
	$(MVN) -DskipTests -pl node,operator package jib:buildTar
	@ls -l node/target/jib-image.tar operator/target/jib-image.tar

# The k3s suite (e2e/, profile e2e). Without a Docker engine it skips and says so; with one it builds the images first.
e2e:
	@rm -f e2e/target/e2e-skipped.txt
	@if docker info >/dev/null 2>&1; then $(MAKE) --no-print-directory images; fi
	$(MVN) -pl e2e -Pe2e verify
	@if [ -f e2e/target/e2e-skipped.txt ]; then cat e2e/target/e2e-skipped.txt; fi

# Installs or upgrades the operator chart into the current kube-context (helm must be on PATH).
# Settings: DEPLOY_NAMESPACE (octopus-system), DEPLOY_RELEASE (octopus-operator), HELM_ARGS (e.g. --set rbac.clusterWide=true).
DEPLOY_NAMESPACE ?= octopus-system
DEPLOY_RELEASE ?= octopus-operator
deploy:
	@command -v helm >/dev/null || { echo "make deploy: helm not found on PATH"; exit 1; }
	@echo "make deploy: context $$(kubectl config current-context 2>/dev/null || echo '?'), namespace $(DEPLOY_NAMESPACE)"
	helm upgrade --install $(DEPLOY_RELEASE) charts/octopus-operator --namespace $(DEPLOY_NAMESPACE) --create-namespace --wait $(HELM_ARGS)

bench:
	$(MVN) -q -DskipTests -pl node -am test-compile
	cd node && "$$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$$(cat target/test-classpath.txt)" io.octopusha.node.bench.Benchmarks

