#!/bin/bash
# Build vNetTracer from a fresh checkout or incrementally:
#   1. scripts/install-deps.sh (does nothing when all packages are present)
#   2. autoreconf -fi          (only if ./configure is missing or older than configure.ac)
#   3. ./configure --enable-werror [EXTRA ARGS...]
#                               (only if not configured yet, or configured with other args,
#                                or configure is newer than config.status)
#   4. make -j2
# Extra arguments are passed to ./configure, e.g.
#   scripts/build.sh --enable-sanitizers
# Environment: MAKE_JOBS (default 2), VNT_SKIP_DEPS=1 skips step 1.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

die() { echo "build.sh: ERROR: $*" >&2; exit 1; }
step() { echo "build.sh: $*"; }

# Serialise builds of this tree (several test runs may start at once).
exec 9>"/tmp/vnettracer-build.$(printf %s "$top" | md5sum | cut -c1-12).lock"
if ! flock -n 9; then
	step "waiting for another build of $top to finish"
	flock 9
fi

if [[ ${VNT_SKIP_DEPS:-0} != 1 ]]; then
	scripts/install-deps.sh || die "installing dependencies failed (scripts/install-deps.sh)"
fi

if [[ ! -x configure || configure.ac -nt configure ]]; then
	step "autoreconf -fi"
	mkdir -p m4 # ACLOCAL_AMFLAGS = -I m4; git does not keep empty directories
	autoreconf -fi || die "autoreconf failed"
fi

want=(--enable-werror "$@")
need_configure=0
if [[ ! -f Makefile || ! -x config.status || configure -nt config.status ]]; then
	need_configure=1
else
	# Reconfigure when the arguments differ from the last configure run.
	have=$(./config.status --config 2>/dev/null | tr -d "'" || true)
	[[ "$have" == "${want[*]}" ]] || need_configure=1
fi
if ((need_configure)); then
	step "./configure ${want[*]}"
	./configure "${want[@]}" || die "./configure ${want[*]} failed (see config.log)"
fi

step "make -j${MAKE_JOBS:-2}"
make -j"${MAKE_JOBS:-2}" || die "make failed"
step "build OK"
