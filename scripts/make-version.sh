#!/bin/sh
# VERSION (major.minor.patch) -> a header the resources and packages share.
set -eu
version=$(tr -d ' \r\n' <"$1")
case $version in
    *[!0-9.]* | .* | *. | *..*) echo "make-version: VERSION must be major.minor.patch, not '$version'" >&2; exit 1 ;;
esac
IFS=. read -r major minor patch <<EOV
$version
EOV
[ -n "$patch" ] || { echo "make-version: VERSION must be major.minor.patch, not '$version'" >&2; exit 1; }
cat >"$2" <<EOH
/* Generated from VERSION by scripts/make-version.sh. */
#define MAPISHUT_VERSION_MAJOR $major
#define MAPISHUT_VERSION_MINOR $minor
#define MAPISHUT_VERSION_PATCH $patch
#define MAPISHUT_VERSION_RC    $major,$minor,$patch,0
#define MAPISHUT_VERSION_TEXT  "$version.0"
EOH
