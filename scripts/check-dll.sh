#!/bin/sh
# What mapishut.dll is made of, for both architectures: it exports the five
# entry points of mapishut.def and nothing else, and it holds what it uses:
# every function its sources define is reached from those entry points (or
# DllMain) by calls and addresses taken. Code only the tool or the tests use belongs with them,
# not in every process that loads the DLL.
#   DLL_SOURCES="..." WIN_CFLAGS="..." scripts/check-dll.sh BUILD
# The Makefile's `check` passes both variables: the sources it links into the
# DLL and the flags it compiles them with. Ends with "dll: N passed, N failed, N skipped".
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

out=$build/check-dll
mkdir -p "$out"
check_name=dll check_dir=$out
. "$here/check-lib.sh"

# The entry points, as mapishut.def names them.
sed -n 's/^ *\(Dll[A-Za-z]*\) .*/\1/p' "$top/mapishut.def" | sort >"$out/expected.txt"

for arch in x86_64 i686; do
    cross=$arch-w64-mingw32-
    dll=$build/$arch/bin/mapishut.dll
    if [ ! -f "$dll" ] || [ -z "${DLL_SOURCES:-}" ]; then
        record 1 "$arch: $dll is built and DLL_SOURCES names its sources"
        continue
    fi
    "${cross}objdump" -p "$dll" | sed -n '/^\[Ordinal\/Name Pointer\] Table/,/^$/s/^[[:space:]]*\[ *[0-9]*\] //p' |
        sort >"$out/$arch-exports.txt"
    diff "$out/expected.txt" "$out/$arch-exports.txt" >"$out/$arch-exports.diff"
    record $? "$arch: exports exactly $(tr '\n' ' ' <"$out/expected.txt")" "$out/$arch-exports.diff"

    # Each function and each datum in a section of its own, nothing inlined
    # and no debug information: every use of a function, within its own file
    # too, is then a relocation naming it, from the section of the function
    # or table that uses it.
    objects=$out/$arch
    rm -rf "$objects" && mkdir -p "$objects"
    status=0
    for source in $DLL_SOURCES; do
        # shellcheck disable=SC2086
        (cd "$top" && "${cross}gcc" ${WIN_CFLAGS:-} -O0 -g0 -ffunction-sections -fdata-sections \
             -c -o "$objects/$(basename "$source" .c).o" "$source") >>"$out/$arch-compile.txt" 2>&1 || status=1
    done
    record $status "$arch: the DLL's sources compile one function per section" "$out/$arch-compile.txt"
    # The uses, "FROM TO": FROM is the function or datum whose section holds
    # the relocation (ROOT for a section that is no one symbol's, as the
    # CRT's tables), TO what it names. Unwind tables and debug information
    # name every function and are no use. i686 decorates C names with an
    # underscore, stdcall ones with @N; x86_64 reaches data through .refptr.
    for object in "$objects"/*.o; do
        "${cross}objdump" -r "$object" | awk '
            function symbol(name) {
                sub(/[+-]0x[0-9a-f]+$/, "", name)
                if (name ~ /^\.(text|rdata|data|bss)\$/) sub(/^[^$]*\$/, "", name)
                sub(/^\.refptr\./, "", name); sub(/^_/, "", name); sub(/@[0-9]+$/, "", name)
                return name
            }
            /^RELOCATION RECORDS FOR / {
                section = substr($4, 2, length($4) - 3)
                skip = section ~ /^\.(pdata|xdata|eh_frame|debug)/
                from = section ~ /\$/ ? symbol(section) : "ROOT"
                next
            }
            !skip && NF == 3 && $1 ~ /^[0-9a-f]+$/ { print from, symbol($3) }'
    done | sort -u >"$out/$arch-uses.txt"
    # What the DLL reaches from its entry points: the exports and DllMain.
    { sed 's/^/ROOT /' "$out/expected.txt"; echo "ROOT DllMain"; cat "$out/$arch-uses.txt"; } | awk '
        { next_of[$1] = next_of[$1] " " $2 }
        END {
            queue[0] = "ROOT"; seen["ROOT"] = 1
            for (head = 0; head < tail + 1; head++) {
                n = split(next_of[queue[head]], to, " ")
                for (i = 1; i <= n; i++)
                    if (!(to[i] in seen)) { seen[to[i]] = 1; queue[++tail] = to[i] }
            }
            for (name in seen) print name
        }' | sort >"$out/$arch-reached.txt"
    for object in "$objects"/*.o; do
        "${cross}nm" --defined-only "$object" | awk '$2 == "T" || $2 == "t" { print $3 }' | grep -v '^\.' |
            sed 's/^_//; s/@[0-9]*$//' | sed "s|$| ($(basename "$object" .o).c)|"
    done | sort -u >"$out/$arch-defined.txt"
    : >"$out/$arch-unused.txt"
    while read -r symbol file; do
        grep -qx "$symbol" "$out/$arch-reached.txt" || echo "$symbol $file" >>"$out/$arch-unused.txt"
    done <"$out/$arch-defined.txt"
    [ ! -s "$out/$arch-unused.txt" ]
    record $? "$arch: every function of the DLL is reached from its entry points" "$out/$arch-unused.txt"
done

check_summary
