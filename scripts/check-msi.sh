#!/bin/sh
# The Windows Installer packages under Wine, in a WoW64 prefix of their own:
# installed per machine with msiexec /qn (x64 with the 64-bit loader, x86
# with the 32-bit one), side by side; COM finds the class, the ProgID and the
# type library from each bitness and `mapishut policy` runs; a newer x64
# package upgrades in place; removing either leaves the other whole; in the
# end nothing is left: the registry (both views of HKLM\Software) and
# Program Files are as they were before. On the way, the two faults an
# administrator meets: an install over a copy registered by hand with
# regsvr32 (the package takes the registration over, and removes it), and a
# removal after the files were deleted by hand (it succeeds and cleans up).
#   scripts/check-msi.sh BUILD VERSION
# Ends with "msi: N passed, N failed, N skipped"; exits non-zero on a failure.
set -u
build=${1:-build}
version=${2:?version}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/wine-env.sh"

build=$(cd "$build" && pwd)
work=$build/msi-check
mkdir -p "$work"
check_name=msi check_dir=$work
. "$here/check-lib.sh"
finish() {
    check_summary
    exit
}

if ! command -v wixl >/dev/null; then
    not_run "the whole msi check: wixl is not installed (scripts/bootstrap.sh msi installs it)"
    finish
fi
if ! wine_setup i686 "$work" >/dev/null; then
    not_run "the whole msi check: the packages need both bitnesses of Wine: $WINE_MISSING"
    finish
fi
WINE32=$WINE
wine_setup x86_64 "$work" || { not_run "the whole msi check: $WINE_MISSING"; finish; }
WINE64=$WINE

# The packages: this version, and the next one for the upgrade.
next=$(echo "$version" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')
(cd "$top" && sh scripts/make-msi.sh "$build" "$version" "$work/packages" &&
              sh scripts/make-msi.sh "$build" "$next" "$work/packages") >"$work/build.txt" 2>&1
check "wixl builds the x64 and x86 packages of $version and $next" test -f "$work/packages/mapishut-$next-x86.msi"

# --- the packages' tables -------------------------------------------------------
# Windows Installer's component rules: the component both packages hold is one
# and the same (GUID, 32-bit in both, directory, every registry row).
tables() { # tables ARCH: the Component, Registry and Directory tables, one row a line
    for table in Component Registry Directory; do
        msiinfo export "$work/packages/mapishut-$version-$1.msi" $table | tr -d '\r' | tail -n +4 >"$work/$1-$table.txt"
    done
}
tables x64
tables x86
shared_guid=$(awk -F'\t' '$1 == "Shared" { print $2 }' "$work/x64-Component.txt")
awk -F'\t' '$1 == "Shared"' "$work/x64-Component.txt" >"$work/x64-shared-component.txt"
awk -F'\t' '$1 == "Shared"' "$work/x86-Component.txt" >"$work/x86-shared-component.txt"
awk -F'\t' '$6 == "Shared" { print $2 "\t" $3 "\t" $4 "\t" $5 }' "$work/x64-Registry.txt" | sort >"$work/x64-shared-registry.txt"
awk -F'\t' '$6 == "Shared" { print $2 "\t" $3 "\t" $4 "\t" $5 }' "$work/x86-Registry.txt" | sort >"$work/x86-shared-registry.txt"
check "both packages have the shared component ($shared_guid)" test -n "$shared_guid"
check "the shared component's row is the same in both packages (GUID, directory, attributes, key path)" \
    cmp -s "$work/x64-shared-component.txt" "$work/x86-shared-component.txt"
check "the shared component is 32-bit in the x64 package too" \
    test $(( $(cut -f4 "$work/x64-shared-component.txt") & 256 )) -eq 0
check "the shared component writes the same registry rows in both packages" \
    cmp -s "$work/x64-shared-registry.txt" "$work/x86-shared-registry.txt"
check "no other component of the x64 package has the shared GUID" \
    test "$(grep -c "$shared_guid" "$work/x64-Component.txt")" = 1
check "the type library's HELPDIR is the shared component's, and empty" \
    grep -qP '^2\tSoftware\\Classes\\TypeLib\\\{[^}]*\}\\1\.0\\HELPDIR\\?\t\t$' "$work/x64-shared-registry.txt"
check "no other component writes HELPDIR" \
    test -z "$(awk -F'\t' '/HELPDIR/ && $6 != "Shared"' "$work/x64-Registry.txt" "$work/x86-Registry.txt")"
no_public_folder() { # both install into InstallFolder, and no folder is a public property
    for arch in x64 x86; do
        cut -f1 "$work/$arch-Directory.txt" | grep -qx InstallFolder || return 1
    done
    test -z "$(cut -f1 "$work/x64-Directory.txt" "$work/x86-Directory.txt" | grep -v '^TARGETDIR$' | grep -vP '[a-z]')"
}
check "no folder of either package is a public property (the event source names the default ones)" no_public_folder
event_key='SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\mapishut'
check "the shared component registers the event source's EventMessageFile, naming both DLLs" \
    grep -qP "^2\t$event_key\\\\?\tEventMessageFile\t\[ProgramFilesFolder\]mapishut\\\\mapishut\.dll;\[ProgramFiles64Folder\]mapishut\\\\mapishut\.dll\$" \
    "$work/x64-shared-registry.txt"
check "the shared component registers the event source's TypesSupported = 7" \
    grep -qP "^2\t$event_key\\\\?\tTypesSupported\t#7\$" "$work/x64-shared-registry.txt"

winpath() { echo "Z:$1" | tr / '\\'; }
msi() { # msi /i|/x ARCH VERSION [PROPERTY=VALUE...]: msiexec with the loader of the package's bitness
    case $2 in x64) loader=$WINE64 ;; x86) loader=$WINE32 ;; esac
    action=$1 package="$work/packages/mapishut-$3-$2.msi"
    shift 3
    "$loader" msiexec "$action" "$(winpath "$package")" /qn "$@"
}
com_probe() { # com_probe x86_64|i686: COM from that bitness
    case $1 in x86_64) loader=$WINE64 ;; i686) loader=$WINE32 ;; esac
    wine_retry "$loader" "$build/$1/bin/com_probe.exe" | tr -d '\r'
}
# The shared component is 32-bit: on Windows 7 and later its keys (ProgIDs,
# TypeLib) are in the part of HKLM\Software\Classes both views share. Wine 8
# keeps all of Classes apart per view, so there a 64-bit process does not see
# the ProgIDs (the type library it finds by the x64 package's own win64
# subkey): from 64-bit, the ProgID is not checked there.
wine_retry "$WINE64" reg add 'HKLM\Software\Classes\mapishut-view-test' /f /reg:32 >/dev/null
classes_shared=no
wine_retry "$WINE64" reg query 'HKLM\Software\Classes\mapishut-view-test' /reg:64 >/dev/null 2>&1 && classes_shared=yes
wine_retry "$WINE64" reg delete 'HKLM\Software\Classes\mapishut-view-test' /f /reg:32 >/dev/null
[ $classes_shared = yes ] ||
    echo "NOTE: this Wine keeps HKLM\\Software\\Classes apart per view: the ProgID is not checked from 64-bit"
loads_from() { # loads_from ARCH FOLDER: COM works from ARCH and loads the DLL in FOLDER
    out=$(com_probe "$1")
    echo "$out"
    if [ "$1" = x86_64 ] && [ $classes_shared = no ]; then
        echo "$out" | grep -q "CoCreateInstance 0, ProgID [0-9a-fx]*, TypeLib 0, loaded $(echo "$2" | sed 's/[\\.()]/\\&/g')\\\\mapishut\\.dll"
    else
        echo "$out" | grep -qF "CoCreateInstance 0, ProgID 0, TypeLib 0, loaded $2\\mapishut.dll"
    fi
}
. "$build/mapishut_ids.sh"
event_source() { # event_source: the source's EventMessageFile, as the registry holds it
    wine_retry "$WINE64" reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\mapishut' \
        /v EventMessageFile 2>/dev/null | tr -d '\r' | sed -n 's/^ *EventMessageFile *REG_[A-Z_]* *//p'
}
names_dll() { # names_dll FOLDER: the event source lists FOLDER\mapishut.dll
    event_source | tr ';' '\n' | grep -qixF "$1\\mapishut.dll"
}
helpdir_empty() {
    out=$(wine_retry "$WINE64" reg query "HKLM\\Software\\Classes\\TypeLib\\$MAPISHUT_LIBID\\$MAPISHUT_TYPELIB_VERSION\\HELPDIR" /ve 2>/dev/null |
          tr -d '\r')
    echo "$out"
    echo "$out" | grep -q 'REG_SZ *$'
}
class_missing() { com_probe "$1" | grep -q "CoCreateInstance 0x80040154"; }
tool_runs() { # tool_runs LOADER FOLDER: the installed mapishut.exe answers `policy`
    (cd "$WINEPREFIX/drive_c/$2" && wine_retry "$1" ./mapishut.exe policy)
}
uninstalls() { # uninstalls 64|32: the Uninstall entries of that view
    wine_retry "$WINE64" reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s /reg:"$1" 2>/dev/null |
        tr -d '\r'
}
uninstall_entries() { # how many Uninstall entries say this name
    uninstalls "$2" | grep -c "DisplayName.*REG_SZ.*mapishut ($1)"
}
snapshot() { # snapshot NAME: HKLM\Software in both views, sorted, and Program Files
    for view in 64 32; do
        wine_retry "$WINE64" reg export 'HKLM\Software' "$(winpath "$work/$1-$view.reg")" /y /reg:$view >/dev/null
        iconv -f UTF-16LE -t UTF-8 "$work/$1-$view.reg" | tr -d '\r' | sort >"$work/$1-$view.txt"
    done
    (cd "$WINEPREFIX/drive_c" && find "Program Files" "Program Files (x86)" | sort) >"$work/$1-files.txt"
}
# Windows Installer's own containers, which its first install creates and
# leaves (empty) for the next: the OS's, not the package's.
installer_containers='^\[HKEY_LOCAL_MACHINE\\Software\\(Classes\\Installer(\\(Features|Products|UpgradeCodes))?|Microsoft\\Windows\\CurrentVersion\\Installer\\(UpgradeCodes|UserData(\\S-1-5-18(\\(Components|Products))?)?))\]$'
same() { # same: the registry and Program Files as the first snapshot had them
    "$WINESERVER" -w
    snapshot after
    for part in 64.txt 32.txt files.txt; do
        diff "$work/before-$part" "$work/after-$part" | sed -n 's/^[<>] //p' | grep -v '^$' |
            grep -Ev "$installer_containers" >"$work/left-$part"
        [ -s "$work/left-$part" ] && { cat "$work/left-$part"; return 1; }
    done
    return 0
}

# Whatever an earlier, interrupted run left.
for arch in x64 x86; do
    for v in "$version" "$next"; do msi /x $arch "$v" >/dev/null 2>&1; done
done
"$WINE64" regsvr32 /s /u 'C:\handreg\mapishut.dll' >/dev/null 2>&1
rm -rf "$WINEPREFIX/drive_c/handreg"
"$WINESERVER" -w
snapshot before

# A copy registered by hand first: the package takes the registration over.
mkdir -p "$WINEPREFIX/drive_c/handreg"
cp "$build/x86_64/bin/mapishut.dll" "$WINEPREFIX/drive_c/handreg/"
wine_retry "$WINE64" regsvr32 /s 'C:\handreg\mapishut.dll'
check "a copy registered by hand with regsvr32 is what COM loads first" loads_from x86_64 'C:\handreg'

check "msiexec /i x64 $version /qn with INSTALLDIR and InstallFolder set to another folder" \
    msi /i x64 "$version" 'INSTALLDIR=C:\elsewhere' 'InstallFolder=C:\elsewhere'
check "x64: installed in Program Files all the same" test ! -e "$WINEPREFIX/drive_c/elsewhere"
check "x64: COM finds the class, ProgID and type library in Program Files" loads_from x86_64 'C:\Program Files\mapishut'
check "x64: the installed mapishut.exe runs" tool_runs "$WINE64" "Program Files/mapishut"
check "msiexec /i x86 $version /qn, beside it" msi /i x86 "$version"
check "x86: COM finds the class, ProgID and type library in Program Files (x86)" \
    loads_from i686 'C:\Program Files (x86)\mapishut'
check "x86: the installed mapishut.exe runs" tool_runs "$WINE32" "Program Files (x86)/mapishut"
check "x64 still whole beside x86" loads_from x86_64 'C:\Program Files\mapishut'
check "the event source names the x64 DLL" names_dll 'C:\Program Files\mapishut'
check "the event source names the x86 DLL" names_dll 'C:\Program Files (x86)\mapishut'
check "the type library's HELPDIR is empty" helpdir_empty

check "msiexec /i x64 $next /qn: a major upgrade" msi /i x64 "$next"
check "one x64 product after the upgrade" test "$(uninstall_entries 64-bit 64)" = 1
x64_version_is() { uninstalls 64 | grep -A8 'mapishut (64-bit)' | grep -q "DisplayVersion.*$1"; }
check "the x64 product is $next" x64_version_is "$next"
check "one copy of the files after the upgrade" test "$(ls "$WINEPREFIX/drive_c/Program Files/mapishut" | tr '\n' ' ')" = "mapishut.dll mapishut.exe "
check "x64 works after the upgrade" loads_from x86_64 'C:\Program Files\mapishut'
check "x86 untouched by the upgrade" loads_from i686 'C:\Program Files (x86)\mapishut'

check "msiexec /x x64 /qn" msi /x x64 "$next"
check "x64 removed: its class is gone" class_missing x86_64
check "x64 removed: its files are gone" test ! -e "$WINEPREFIX/drive_c/Program Files/mapishut"
check "x86 whole after x64 was removed (class, shared ProgID and type library)" \
    loads_from i686 'C:\Program Files (x86)\mapishut'
check "x64 removed: the event source still names the x86 DLL" names_dll 'C:\Program Files (x86)\mapishut'
check "x64 removed: HELPDIR names no removed folder" helpdir_empty

rm -f "$WINEPREFIX/drive_c/Program Files (x86)/mapishut/mapishut.dll"
check "msiexec /x x86 /qn after its DLL was deleted by hand" msi /x x86 "$version"
check "x86 removed: its class is gone" class_missing i686
# Where Classes are per view, the hand registration's 64-bit ProgIDs and type
# library were never the package's (its shared component writes the 32-bit
# view): regsvr32 /u removes them as it would without the package.
[ $classes_shared = yes ] || wine_retry "$WINE64" regsvr32 /s /u 'C:\handreg\mapishut.dll' >/dev/null
rm -rf "$WINEPREFIX/drive_c/handreg"
check "both removed: the event source is gone" test -z "$(event_source)"
check "nothing left: HKLM\\Software (both views) and Program Files as before" same
finish
