#!/usr/bin/env bash
# Builds the real control plane for the operator's kube tier (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, etcd) from Go modules at the pinned versions, into a cache outside the repository.
# A warm cache returns at once; a cold build downloads about a gigabyte of modules and takes tens of minutes.
# Prints the directory holding the binaries on its last line. With --where it only prints that directory, and exits 1
# when the binaries are not built yet.
set -euo pipefail

KUBE_VERSION=v1.36.3
ETCD_VERSION=v3.6.8
CACHE_ROOT=${OCTOPUS_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/octopus-ha/kube}
OUT="$CACHE_ROOT/$KUBE_VERSION-etcd-$ETCD_VERSION"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd)

complete() {
  for b in "${BINARIES[@]}"; do [ -x "$OUT/$b" ] || return 1; done
}
if complete; then echo "$OUT"; exit 0; fi
if [ "${1:-}" = "--where" ]; then echo "$OUT"; exit 1; fi

command -v go >/dev/null 2>&1 || { echo "kube tier: go not found on PATH (install Go 1.26 or newer)" >&2; exit 2; }
echo "building Kubernetes $KUBE_VERSION and etcd $ETCD_VERSION from Go modules into $OUT (a cold build takes tens of minutes)" >&2
mkdir -p "$CACHE_ROOT"
WORK=$(mktemp -d "$CACHE_ROOT/build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0

# k8s.io/kubernetes replaces its staging modules with folders of its own repository, which a module that
# requires it does not see: replace each with the published release of the same minor version instead.
mkdir "$WORK/kube" && cd "$WORK/kube"
go mod init octopusha.io/kube-build >/dev/null 2>&1
go mod edit -require="k8s.io/kubernetes@$KUBE_VERSION"
KUBE_MOD=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"
for m in $(sed -n 's#^\t\(k8s\.io/[^ ]*\) => \./staging/.*#\1#p' "$KUBE_MOD"); do
  go mod edit -replace="$m=$m@$STAGING_VERSION"
done
MINOR=${KUBE_VERSION#v1.}; MINOR=${MINOR%%.*}
BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
VERSION_FLAGS=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  VERSION_FLAGS+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$MINOR"
  VERSION_FLAGS+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$BUILD_DATE"
done
mkdir -p "$WORK/bin"
go build -trimpath -ldflags "-s -w $VERSION_FLAGS" -o "$WORK/bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl

# etcd's server module replaces its sibling modules with folders too; a requiring module takes their releases.
mkdir "$WORK/etcd" && cd "$WORK/etcd"
go mod init octopusha.io/etcd-build >/dev/null 2>&1
go mod edit -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION"
go build -trimpath -ldflags "-s -w" -o "$WORK/bin/etcd" go.etcd.io/etcd/server/v3

mkdir -p "$OUT"
mv "$WORK"/bin/* "$OUT/"
complete
"$OUT/kube-apiserver" --version >&2
echo "$OUT"
