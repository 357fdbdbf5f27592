#!/bin/sh
# The single list of Debian 12 packages Comptoir needs to build, run and test.
# PDFs: libharu, zlib, DejaVu fonts, an sRGB ICC profile for PDF/A (icc-profiles-free).
# E-invoice checks (shared/standards/validate-einvoice.sh): a JRE, Saxon-HE,
# xmllint, qpdf and poppler; PDFBox for its PDF/A hints.
# Installs only what is missing; uses sudo when not root.
set -eu

PKGS="
build-essential pkg-config clang
libuv1-dev libssl-dev libpq-dev
libprotobuf-c-dev protobuf-c-compiler
libhpdf-dev zlib1g-dev fonts-dejavu-core icc-profiles-free libcurl4-openssl-dev
libgtk-4-dev gettext desktop-file-utils
postgresql postgresql-contrib
libcmocka-dev
xvfb xauth dbus imagemagick
poppler-utils qpdf
default-jre-headless libsaxonhe-java libxml2-utils
libpdfbox2-java libactivation-java libjaxb-api-java
openssl ca-certificates
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
