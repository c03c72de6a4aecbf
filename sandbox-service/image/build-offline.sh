#!/usr/bin/env bash
# Builds the sandbox image aster-sandbox:latest without an image registry:
# a Debian bookworm root made by debootstrap from Debian's package mirror, imported into the engine.
# Gives the same name and the same Python packages as the Dockerfile beside this script.
# Usage: build-offline.sh [IMAGE]   (needs root, debootstrap, and podman or docker)
set -euo pipefail
IMAGE=${1:-aster-sandbox:latest}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=python3-minimal,python3-sympy,python3-numpy,python3-mpmath,python3-dill,python3-scipy
ENGINE=${CONTAINER_ENGINE:-$(command -v podman || command -v docker)}

ROOT=$(mktemp -d /tmp/aster-sandbox-root.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT

echo "debootstrap bookworm with $PACKAGES into $ROOT" >&2
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOT" "$MIRROR" >&2
# Trim what a sandbox never needs: docs, man pages, apt lists and cache, byte-code caches are rebuilt on demand.
rm -rf "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* \
       "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*
# The unprivileged user the code runs as (uid 65534 'nobody' exists in Debian already); /work is its tmpfs mount point.
mkdir -p "$ROOT/work" && chmod 1777 "$ROOT/work"
# Precompile the prelude's modules so a read-only container imports them without writing caches.
chroot "$ROOT" python3 -c "import sympy, numpy, mpmath, dill, math, itertools, fractions" >&2
chroot "$ROOT" python3 -m compileall -q /usr/lib/python3/dist-packages >/dev/null
chroot "$ROOT" python3 -c "import scipy" >&2

tar -C "$ROOT" -c . | "$ENGINE" import \
  --change 'CMD ["python3"]' --change 'WORKDIR /work' --change 'USER 65534:65534' \
  --change 'ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/work' \
  - "$IMAGE" >&2
echo "built $IMAGE" >&2
