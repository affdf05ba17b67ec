#!/bin/sh
# Builds understudy_VERSION_ARCH.deb with dpkg-deb, from what "make
# install" puts in a staging directory (so that whatever install learns,
# shell completion included, is packaged too). See packaging/deb/README.
#
# Usage: build.sh OUTDIR   (run from the top of the tree; make deb does)
# Environment: GO (go), VERSION (the binary's --version; default git
# describe), DEB_VERSION (default: version.sh).
set -eu
out=${1:?usage: build.sh OUTDIR}
here=$(dirname "$0")
deb_version=${DEB_VERSION:-$("$here/version.sh")}
arch=$(dpkg --print-architecture 2>/dev/null || ${GO:-go} env GOARCH)
stage=$(mktemp -d "${TMPDIR:-/tmp}/understudy-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root

# heartbeat's paths: the commands, their man pages, ha.cf(5) and
# authkeys(5) are the heartbeat package's too. They are shipped under
# SHARED and linked into place by the postinst only where heartbeat's
# package does not hold them (see postinst). MailTo is heartbeat's too,
# as a conffile of /etc/ha.d/resource.d, where no link may stand: it goes
# to the last place scripts are looked up, /usr/lib/understudy/resource.d.
shared=/usr/share/understudy/heartbeat
libdir=/usr/lib/understudy/resource.d

make -s install DESTDIR="$root" PREFIX=/usr SBINDIR=/usr/sbin MANDIR=/usr/share/man \
	HADIR=/etc/ha.d INITDIR=/etc/init.d UNITDIR=/usr/lib/systemd/system \
	COMPATBIN=/usr/bin COMPATSHARE=/usr/share/heartbeat ${VERSION:+VERSION="$VERSION"} >/dev/null

# Shell completion, if the tree has some and install did not place it.
if [ ! -d "$root/usr/share/bash-completion" ] && [ ! -d "$root/usr/share/zsh" ]; then
	for f in $(git ls-files 2>/dev/null | grep -i complet || true); do
		case $f in
		*/_understudy | _understudy | *.zsh) install -D -m 0644 "$f" "$root/usr/share/zsh/vendor-completions/_understudy" ;;
		*.bash | *bash*/understudy) install -D -m 0644 "$f" "$root/usr/share/bash-completion/completions/understudy" ;;
		esac
	done
fi

# Man pages are compressed (Debian policy 12.1).
find "$root/usr/share/man" -type f -name '*.[0-9]' -exec gzip -9n {} +

# Move heartbeat's paths aside: the command links, and the files.
mkdir -p "$root$shared"
for p in /usr/bin/cl_status /usr/share/heartbeat/hb_standby /usr/share/heartbeat/hb_takeover; do
	rm -f "$root$p"
	mkdir -p "$(dirname "$root$shared$p")"
	ln -s /usr/sbin/understudy "$root$shared$p"
done
rmdir "$root/usr/share/heartbeat"
for p in /usr/share/man/man1/cl_status.1.gz /usr/share/man/man1/hb_standby.1.gz /usr/share/man/man1/hb_takeover.1.gz \
	/usr/share/man/man5/ha.cf.5.gz /usr/share/man/man5/authkeys.5.gz; do
	mkdir -p "$(dirname "$root$shared$p")"
	mv "$root$p" "$root$shared$p"
done
mkdir -p "$root$libdir"
mv "$root/etc/ha.d/resource.d/MailTo" "$root$libdir/MailTo"

# What dpkg needs: control, conffiles, scripts, triggers.
mkdir -p "$root/DEBIAN"
(cd "$root" && find etc -type f | sed 's|^|/|' | sort) >"$root/DEBIAN/conffiles"
(cd "$root$shared" && find . ! -type d | sed 's|^\.|interest-noawait |' | sort) >"$root/DEBIAN/triggers"
for s in postinst prerm postrm; do
	sed "s|@SHARED@|$shared|g" "$here/$s" >"$root/DEBIAN/$s"
	chmod 0755 "$root/DEBIAN/$s"
done
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$deb_version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" "$here/control" >"$root/DEBIAN/control"
chmod 0600 "$root/etc/ha.d/authkeys"

mkdir -p "$out"
deb=$out/understudy_${deb_version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
