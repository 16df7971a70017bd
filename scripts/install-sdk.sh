#!/bin/sh
# `make install`: the SDK for both architectures, laid out the MinGW-w64 way,
# each under PREFIX/<triplet> so that <triplet>-pkg-config finds it:
#   include/  mapishut.h, mapishut_idl.h (widl's), mapishut.idl
#   lib/      libmapishut.a (import library and GUIDs), mapishut.def,
#             mapishut.tlb (the type library), pkgconfig/mapishut.pc
#   bin/      mapishut.dll, mapishut.exe
# usage: install-sdk.sh BUILD DESTDIR PREFIX VERSION
set -eu
build=$1 destdir=$2 prefix=$3 version=$4

case $prefix in
    /*) ;;
    *) echo "install: PREFIX must be an absolute path, not '$prefix'" >&2; exit 2 ;;
esac

for arch in x86_64 i686; do
    triplet=$arch-w64-mingw32
    root=$destdir$prefix/$triplet
    bin=$build/$arch/bin
    for f in "$bin/mapishut.dll" "$bin/mapishut.exe" "$bin/libmapishut.a" "$build/$arch/mapishut.tlb"; do
        [ -f "$f" ] || { echo "install: $f is missing: run make first" >&2; exit 1; }
    done
    install -d "$root/include" "$root/lib/pkgconfig" "$root/bin"
    install -m 644 include/mapishut.h "$build/include/mapishut_idl.h" idl/mapishut.idl "$root/include/"
    install -m 644 "$bin/libmapishut.a" mapishut.def "$build/$arch/mapishut.tlb" "$root/lib/"
    install -m 755 "$bin/mapishut.dll" "$bin/mapishut.exe" "$root/bin/"
    cat >"$root/lib/pkgconfig/mapishut.pc" <<EOPC
prefix=$prefix/$triplet
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: mapishut
Description: The MAPI fast-shutdown subsystem: interfaces, GUIDs and import library
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -lmapishut -lole32 -luuid
EOPC
    echo "  INSTALL $root"
done
