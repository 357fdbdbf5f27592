#!/bin/sh
# Builds build/comptoir_VERSION_ARCH.deb with dpkg-deb alone (no debhelper).
#   packaging/deb/build.sh VERSION        (or: make deb)
# Environment: DEB_MAINTAINER overrides the Maintainer field.
set -eu

version=${1:?usage: build.sh VERSION}
case "$version" in
[0-9]*) ;;
*)
	echo "build.sh: a Debian version must start with a digit: $version" >&2
	exit 2
	;;
esac

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-Comptoir <comptoir@localhost>}

# A build folder of its own: the SQL folder compiled into the binaries follows
# PREFIX, and make does not rebuild objects when only the flags change.
objdir=build/deb/release
work=$top/build/deb
stage=$work/root
out=$top/build/comptoir_${version}_${arch}.deb

umask 022
rm -rf "${top:?}/$objdir" "${stage:?}"
mkdir -p "$stage/DEBIAN"

make -C "$top" --no-print-directory BUILD="$objdir" PREFIX=/usr SYSCONFDIR=/etc server
make -C "$top" --no-print-directory BUILD="$objdir" PREFIX=/usr SYSCONFDIR=/etc \
	DESTDIR="$stage" install

# The Makefile creates $(PREFIX)/bin even when nothing goes there.
rmdir "$stage/usr/bin" 2>/dev/null || true

install -d "$stage/lib/systemd/system"
for u in comptoird.service comptoir-backup.service comptoir-backup.timer; do
	install -m 644 "$top/packaging/$u" "$stage/lib/systemd/system/$u"
done

# Shared library dependencies, versioned from the build system's symbols and
# shlibs files; a fixed list when dpkg-shlibdeps cannot tell.
libdeps=""
if command -v dpkg-shlibdeps >/dev/null; then
	mkdir -p "$work/shlibs/debian"
	printf 'Source: comptoir\n\nPackage: comptoir\nArchitecture: any\n' \
		>"$work/shlibs/debian/control"
	if libdeps=$(cd "$work/shlibs" && dpkg-shlibdeps -O \
		"$stage/usr/sbin/comptoird" "$stage/usr/sbin/comptoirctl" 2>/dev/null); then
		libdeps=${libdeps#shlibs:Depends=}
	else
		libdeps=""
	fi
	rm -rf "$work/shlibs"
fi
if [ -z "$libdeps" ]; then
	libdeps="libc6, libglib2.0-0, libhpdf-2.3.0, libpq5, libprotobuf-c1, libssl3, libuv1, zlib1g"
fi
# pg_dump for `comptoirctl backup`; adduser for the maintainer scripts; the
# fonts and the sRGB profile the PDF renderer embeds.
depends="$libdeps, postgresql-client-15 | postgresql-client, adduser, fonts-dejavu-core, icc-profiles-free"

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)

cat >"$stage/DEBIAN/control" <<EOF
Package: comptoir
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Recommends: postgresql
Section: misc
Priority: optional
Description: Comptoir business software server
 comptoird serves Comptoir clients over TLS (port 7410) from a PostgreSQL
 database; comptoirctl sets up the database and schema, manages users,
 companies and certificates, and takes and restores backups.
 .
 Includes systemd units for the daemon and a nightly backup timer.
EOF

# Files under /etc that dpkg must treat as configuration.
(cd "$stage" && find etc -type f | sed 's|^|/|' | sort) >"$stage/DEBIAN/conffiles"

for s in postinst prerm postrm; do
	install -m 755 "$here/$s" "$stage/DEBIAN/$s"
done

(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
	xargs -r md5sum) >"$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "$out"
