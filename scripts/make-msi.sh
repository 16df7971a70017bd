#!/bin/sh
# `make msi`: mapishut-<version>-x64.msi and mapishut-<version>-x86.msi with
# wixl, from msi/mapishut.wxs and the built DLLs.
#   scripts/make-msi.sh BUILD VERSION OUTDIR
set -eu
build=$1 version=$2 out=$3
ids=$build/mapishut_ids.sh
[ -f "$ids" ] || { echo "msi: $ids is missing: run make first" >&2; exit 1; }
. "$ids"
mkdir -p "$out"
for arch in x64 x86; do
    case $arch in x64) bin=$build/x86_64/bin ;; x86) bin=$build/i686/bin ;; esac
    for f in "$bin/mapishut.dll" "$bin/mapishut.exe"; do
        [ -f "$f" ] || { echo "msi: $f is missing: run make first" >&2; exit 1; }
    done
    # wixl finds sources only relative to where it runs.
    bin=$(realpath --relative-to=. "$bin")
    wixl -a "$arch" -D "Version=$version" -D "Arch=$arch" -D "Bin=$bin" \
        -D "CLSID=$MAPISHUT_CLSID" -D "LIBID=$MAPISHUT_LIBID" -D "TypeLibVersion=$MAPISHUT_TYPELIB_VERSION" \
        -D "ProgID=$MAPISHUT_PROGID" -D "ProgIDIndependent=$MAPISHUT_PROGID_INDEPENDENT" \
        -o "$out/mapishut-$version-$arch.msi" msi/mapishut.wxs
    echo "  MSI     $out/mapishut-$version-$arch.msi"
done
