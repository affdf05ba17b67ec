#!/bin/sh
# Prints the Debian version of the tree: git describe mapped to what
# dpkg accepts and orders (deb-version(7): digits first, then letters,
# digits and . + ~ only; no '-', which would start a Debian revision).
#
#   v1.2.0                   -> 1.2.0
#   v1.2.0-3-gabc1234        -> 1.2.0+git3.gabc1234     (after v1.2.0)
#   v1.2.0-rc1               -> 1.2.0~rc1               (before 1.2.0)
#   abc1234 (no tag; N commits) -> 0.0~gitN.gabc1234    (before any release)
#   ...-dirty                -> ...+dirty
#
# Usage: version.sh [DESCRIBE [COUNT]]; without arguments it asks git
# (git describe --tags --always --dirty, git rev-list --count HEAD).
set -eu
if [ $# -ge 1 ]; then
	desc=$1
	count=${2:-0}
else
	desc=$(git describe --tags --always --dirty 2>/dev/null || echo unknown)
	count=$(git rev-list --count HEAD 2>/dev/null || echo 0)
fi
dirty=
case $desc in *-dirty) dirty=+dirty; desc=${desc%-dirty} ;; esac
ver=
if printf '%s\n' "$desc" | grep -Eq -- '-[0-9]+-g[0-9a-f]+$'; then
	# TAG-N-gHASH: N commits after TAG.
	hash=${desc##*-g}
	rest=${desc%-g*}
	n=${rest##*-}
	tag=${rest%-*}
	ver=$tag+git$n.g$hash
elif printf '%s\n' "$desc" | grep -Eq '^[0-9a-f]{4,40}$'; then
	# No tag at all: a snapshot, ordered by commit count, below 0.1.
	ver=0.0~git$count.g$desc
else
	ver=$desc
fi
ver=${ver#v}
# A pre-release tag (1.2.0-rc1) sorts before its release with '~'.
ver=$(printf '%s' "$ver" | sed -E 's/-(alpha|beta|rc|pre)/~\1/g; s/-/./g')
ver=$ver$dirty
case $ver in
[0-9]*) ;;
*) ver=0.0~$ver ;;
esac
if ! printf '%s\n' "$ver" | grep -Eq '^[0-9][A-Za-z0-9.+~]*$'; then
	echo "version.sh: cannot make a Debian version of \"$desc\" (got \"$ver\")" >&2
	exit 1
fi
printf '%s\n' "$ver"
