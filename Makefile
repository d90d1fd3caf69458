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

.PHONY: help build test test-kube kube test-packages test-slow chaos run clean e2e images crds bench deploy

# The programs some suites drive for real, each with its Debian package (ip sets up the control-plane tier's pod
# route). `make test` installs the missing ones where it can (root, apt-get); otherwise those suites skip and the
# summary names them. Under CI=true a missing one fails.
TEST_TOOLS := haproxy:haproxy chromium:chromium chromedriver:chromium-driver wrk:wrk curl:curl ip:iproute2
KUBE_BUILD := operator/kube/build.sh
SKIPPED_SUITES := node/target/skipped-suites.txt operator/target/skipped-suites.txt
# Printed at the end of a test run, red or green: one line per skipped suite with the command that enables it, and the
# log of each failed suite.
TEST_SUMMARY := { cat $(SKIPPED_SUITES) 2>/dev/null | sort -u | sed 's/^/make test: /'; \
  grep -lE '<(failure|error)[ >]' */target/surefire-reports/TEST-*.xml 2>/dev/null \
  | sed -E 's\#(.*)/TEST-(.*)\.xml\#make test: \2 failed, its log: \1/\2-output.txt\#'; true; }

help:
	@echo "make run    - local cluster: embedded PostgreSQL, 3 nodes on 8081-8083, HAProxy on 8080 if installed"
	@echo "make test   - every test that runs without Docker, the real control-plane tier included"
	@echo "make test-kube - the operator's real control-plane tier alone"
	@echo "make kube   - build that tier's binaries (kube-apiserver, controllers, scheduler, etcd) from Go modules"
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

# Maven's status is kept until the summary is printed, so that a red run still names what it skipped and failed.
test: test-packages
	@rm -f $(SKIPPED_SUITES)
	@if command -v go >/dev/null 2>&1 && ! $(KUBE_BUILD) --where >/dev/null; then $(KUBE_BUILD) >/dev/null \
	  || echo "make test: the control-plane binaries did not build (see above); the kube tier will be skipped"; fi
	@status=0; $(MVN) verify -Dkube.binaries="$$($(KUBE_BUILD) --where || true)" || status=$$?; \
	  $(TEST_SUMMARY); exit $$status

test-kube:
	@rm -f $(SKIPPED_SUITES)
	$(KUBE_BUILD)
	@echo "make test-kube: Kubernetes $$("$$($(KUBE_BUILD) --where)/kube-apiserver" --version | cut -d' ' -f2)"
	@status=0; $(MVN) -pl operator -am verify -Dtest.groups=kube -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dkube.binaries="$$($(KUBE_BUILD) --where)" || status=$$?; $(TEST_SUMMARY); exit $$status

kube:
	$(KUBE_BUILD)

# Installs each missing program's package, one line each, when run as root where apt-get exists.
test-packages:
	@missing=(); for tool in $(TEST_TOOLS); do command -v "$${tool%%:*}" >/dev/null 2>&1 || missing+=("$${tool#*:}"); done; \
	if [ $${#missing[@]} -gt 0 ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq >/dev/null 2>&1 || true; \
	  for package in "$${missing[@]}"; do \
	    echo "make test: installing $$package"; \
	    apt-get install -y -qq --no-install-recommends "$$package" >/dev/null 2>&1 \
	      || echo "make test: could not install $$package; the suites that need it will be skipped"; \
	  done; \
	fi

test-slow:
	$(MVN) -pl node -am verify -Dtest.groups=slow -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false

chaos:
	$(MVN) -pl node -am verify -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false -Dchaos.tasks=2000 -Dchaos.seconds=600

run:
	@$(MVN) -q -DskipTests -pl node -am package
	@exec "$$JAVA_HOME/bin/java" -cp "$(NODE_CP)" io.octopusha.node.local.LocalCluster

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

