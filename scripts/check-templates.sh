#!/bin/sh
# The Group Policy templates (policy/): well-formed, every string and
# presentation they reference defined once in each language, ids unique;
# then each setting written the way Group Policy writes it (the key and value
# the ADMX names, a REG_DWORD, or for the ProviderBehavior list a REG_SZ per
# provider, in HKLM for a computer policy and HKCU for a user policy) and read
# back through `mapishut policy --json` and through the
# real DLL (policy_probe.exe). Values Group Policy would never write (a
# string, a number past the ADMX's range) are ignored, and the tool says so.
#   scripts/check-templates.sh BUILD
# Ends with "templates: N passed, N failed, N skipped"; exits non-zero on a failure.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/wine-env.sh"

admx=$top/policy/mapishut.admx
languages="en-US fr-FR"
work=$build/templates-check
mkdir -p "$work"
check_name=templates check_dir=$work
. "$here/check-lib.sh"

xpath() { # xpath FILE EXPR: the strings it selects, one per line
    xmllint --xpath "$2" "$1" 2>/dev/null | tr ' ' '\n' | sed -n 's/^[a-zA-Z]*="\(.*\)"$/\1/p'
}
xvalue() { # xvalue FILE EXPR: a string() expression's value
    xmllint --xpath "$2" "$1" 2>/dev/null
}
unique() { [ -z "$(sort "$1" | uniq -d)" ]; }

# --- the files ------------------------------------------------------------------
check "policy/mapishut.admx is well-formed" xmllint --noout "$admx"
for lang in $languages; do
    check "policy/$lang/mapishut.adml is well-formed" xmllint --noout "$top/policy/$lang/mapishut.adml"
done

grep -o '\$(string\.[A-Za-z0-9_]*)' "$admx" | sed 's/^$(string\.\(.*\))$/\1/' | sort -u >"$work/strings"
grep -o '\$(presentation\.[A-Za-z0-9_]*)' "$admx" | sed 's/^$(presentation\.\(.*\))$/\1/' | sort -u >"$work/presentations"
xpath "$admx" "//*[local-name()='policy']/@name" >"$work/policies"
xpath "$admx" "//*[local-name()='elements']/*/@id" >"$work/elements"
xpath "$admx" "//*[local-name()='category']/@name" >"$work/categories"
check "the ADMX references strings" test -s "$work/strings"
check "policy names are unique" unique "$work/policies"
check "element ids are unique" unique "$work/elements"
for ref in $(xpath "$admx" "//*[local-name()='parentCategory']/@ref"); do
    check "category $ref is defined" grep -qx "$ref" "$work/categories"
done
# A template that names another namespace needs that template in the store.
for prefix in $(xpath "$admx" "//*[local-name()='using']/@prefix"); do
    check "the ADMX uses the namespace it declares as $prefix:" grep -q "ref=\"$prefix:" "$admx"
done
check "the ADMX refers to no other template (no prefix: in a ref)" sh -c "! grep -q 'ref=\"[A-Za-z]*:' '$admx'"
for ref in $(xpath "$admx" "//*[local-name()='policy']/*[local-name()='supportedOn']/@ref"); do
    check "supportedOn $ref is defined" test "$(xvalue "$admx" "count(//*[local-name()='definition'][@name='$ref'])")" = 1
done
for lang in $languages; do
    adml=$top/policy/$lang/mapishut.adml
    xpath "$adml" "//*[local-name()='string']/@id" >"$work/$lang-strings"
    xpath "$adml" "//*[local-name()='presentation']/@id" >"$work/$lang-presentations"
    check "$lang: string ids are unique" unique "$work/$lang-strings"
    check "$lang: presentation ids are unique" unique "$work/$lang-presentations"
    while read -r id; do
        check "$lang: string $id is defined" grep -qx "$id" "$work/$lang-strings"
    done <"$work/strings"
    while read -r id; do
        check "$lang: presentation $id is defined" grep -qx "$id" "$work/$lang-presentations"
    done <"$work/presentations"
    check "$lang: no string the ADMX does not use" sh -c "sort -u '$work/$lang-strings' | cmp -s - '$work/strings'"
    for ref in $(xpath "$adml" "//*[local-name()='presentation']/*/@refId"); do
        check "$lang: presentation control $ref is an ADMX element" grep -qx "$ref" "$work/elements"
    done
done

# --- each setting, as Group Policy writes it -------------------------------------
if ! wine_setup x86_64 "$build"; then
    not_run "the settings under Wine: $WINE_MISSING"
    check_summary
    exit
fi
bin=$build/x86_64/bin

reg_set() { # reg_set ROOT KEY NAME TYPE DATA
    wine_retry "$WINE" reg add "$1\\$2" /v "$3" /t "$4" /d "$5" /f >/dev/null
}
reg_clear() { # every policy key the templates write (sh has no local variables: its own names)
    for clear_root in HKLM HKCU; do
        wine_retry "$WINE" reg delete "$clear_root\\$key" /f >/dev/null 2>&1
    done
}
tool_json() { (cd "$bin" && wine_retry "$WINE" ./mapishut.exe policy --json) | tr -d '\r'; }
probe() { (cd "$bin" && wine_retry "$WINE" ./policy_probe.exe) | tr -d '\r'; }

# expect SETTING JSON_FIELD VALUE PLACE PROBE: the tool's JSON for the setting
# (FastShutdownBehavior at the top level, the others under their field) and
# what the probe prints.
expect() {
    setting=$1 field=$2 value=$3 place=$4 want=$5
    tool_json >"$work/policy.json"
    if [ -n "$field" ]; then
        sed "s/.*\"$field\":{\([^}]*}\).*/\1/" "$work/policy.json" >"$work/setting.json"
    else
        cp "$work/policy.json" "$work/setting.json"
    fi
    check "$setting = $value in the $place: mapishut policy reports it" \
        grep -q "^{\{0,1\}\"value\":$value,.*\"decided_by\":{\"place\":\"$place\"" "$work/setting.json"
    got=$(probe)
    check "$setting = $value in the $place: the DLL does it ($want; got $got)" test "$got" = "$want"
}

key=$(xvalue "$admx" "string(//*[local-name()='policy'][@name='FastShutdownBehavior']/@key)")
reg_clear
for root in HKLM HKCU; do
    place=$([ $root = HKLM ] && echo "machine policy" || echo "user policy")
    # FastShutdownBehavior: every item of the enum.
    name=$(xvalue "$admx" "string(//*[local-name()='enum'][@id='FastShutdownBehavior_Choice']/@valueName)")
    for value in $(xpath "$admx" "//*[local-name()='enum'][@id='FastShutdownBehavior_Choice']//*[local-name()='decimal']/@value"); do
        reg_set $root "$key" "$name" REG_DWORD "$value"
        case $value in
            0) want="A=0 B=0 thread=same" ;;
            1) want="A=0 B=0x80040102 thread=same" ;;
            2) want="A=0x80040102 B=0x80040102 thread=none" ;;
        esac
        expect "$name" "" "$value" "$place" "$want"
        reg_clear
    done
    # ProviderTimeoutMs: the ends of the range and a value between.
    name=$(xvalue "$admx" "string(//*[local-name()='decimal'][@id='ProviderTimeoutMs_Value']/@valueName)")
    min=$(xvalue "$admx" "string(//*[local-name()='decimal'][@id='ProviderTimeoutMs_Value']/@minValue)")
    max=$(xvalue "$admx" "string(//*[local-name()='decimal'][@id='ProviderTimeoutMs_Value']/@maxValue)")
    for value in "$min" 30000 "$max"; do
        reg_set $root "$key" "$name" REG_DWORD "$value"
        want="A=0 B=0 thread=$([ "$value" = 0 ] && echo same || echo other)"
        expect "$name" provider_timeout_ms "$value" "$place" "$want"
        reg_clear
    done
    # ProviderWarnMs and ExitRecords: the ends of the range and the default.
    for setting in ProviderWarnMs:provider_warn_ms:500 ExitRecords:exit_records:32; do
        id=${setting%%:*}_Value field=$(echo "$setting" | cut -d: -f2) default=${setting##*:}
        name=$(xvalue "$admx" "string(//*[local-name()='decimal'][@id='$id']/@valueName)")
        lowest=$(xvalue "$admx" "string(//*[local-name()='decimal'][@id='$id']/@minValue)")
        highest=$(xvalue "$admx" "string(//*[local-name()='decimal'][@id='$id']/@maxValue)")
        for value in "$lowest" "$default" "$highest"; do
            reg_set $root "$key" "$name" REG_DWORD "$value"
            expect "$name" "$field" "$value" "$place" "A=0 B=0 thread=same"
            reg_clear
        done
    done
    # ConcurrentProviders: enabled and disabled.
    name=$(xvalue "$admx" "string(//*[local-name()='policy'][@name='ConcurrentProviders']/@valueName)")
    for state in enabledValue disabledValue; do
        value=$(xvalue "$admx" "string(//*[local-name()='policy'][@name='ConcurrentProviders']/*[local-name()='$state']/*[local-name()='decimal']/@value)")
        reg_set $root "$key" "$name" REG_DWORD "$value"
        want="A=0 B=0 thread=$([ "$value" = 0 ] && echo same || echo other)"
        expect "$name" concurrent_providers "$value" "$place" "$want"
        reg_clear
    done
done

# ProviderBehavior: a list of REG_SZ values, one per provider DLL, under the
# key the list element names; each read back with its place, key and version.
behavior_key=$(xvalue "$admx" "string(//*[local-name()='list'][@id='ProviderBehavior_List']/@key)")
behavior_version=$(printf "%s\n" "$behavior_key" | sed -n 's/.*\\Office\\\([0-9.]*\)\\.*/\1/p')
json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g'; }
behavior_entry() { # behavior_entry NAME: that provider's object in provider_behavior
    sed -n "s/.*\"provider_behavior\":\[\(.*\)\],\"provider_behavior_ignored\".*/\1/p" "$work/policy.json" |
        sed 's/},{"name"/}\n{"name"/g' | grep -F "{\"name\":\"$1\","
}
# expect_behavior NAME VALUE PLACE ROOT: mapishut policy reports it so.
expect_behavior() {
    entry=$(behavior_entry "$1")
    check "ProviderBehavior $1 = $2 in the $3: mapishut policy reports it ($entry)" sh -c '
        printf "%s\n" "$1" | grep -qF "\"value\":$2," &&
        printf "%s\n" "$1" | grep -qF "\"decided_by\":{\"place\":\"$3\",\"key\":\"$4\",\"version\":\"$5\"}"' \
        - "$entry" "$2" "$3" "$(json_escape "$4\\$behavior_key")" "$behavior_version"
}
check "the ProviderBehavior list writes under the Shutdown key" test "$behavior_key" = "$key\\ProviderBehavior"
for root in HKLM HKCU; do
    place=$([ $root = HKLM ] && echo "machine policy" || echo "user policy")
    reg_set $root "$behavior_key" EMSMDB32.DLL REG_SZ 1
    reg_set $root "$behavior_key" demoprov REG_SZ 2
    reg_set $root "$behavior_key" contab32.dll REG_SZ 0
    tool_json >"$work/policy.json"
    expect_behavior EMSMDB32.DLL 1 "$place" $root
    expect_behavior demoprov 2 "$place" $root
    expect_behavior contab32.dll 0 "$place" $root
    reg_clear
done
# Per provider, a computer policy wins, whatever the spelling of the name; data
# outside 0..2 is ignored and said, and the next place decides.
reg_set HKCU "$behavior_key" emsmdb REG_SZ 2
reg_set HKLM "$behavior_key" EMSMDB32.DLL REG_SZ 1
reg_set HKLM "$behavior_key" demoprov REG_SZ 3
reg_set HKCU "$behavior_key" DEMOPROV32 REG_SZ 1
tool_json >"$work/policy.json"
expect_behavior EMSMDB32.DLL 1 "machine policy" HKLM
check "the user policy's emsmdb is overridden by the machine policy's EMSMDB32.DLL" \
    test -z "$(behavior_entry emsmdb)"
expect_behavior DEMOPROV32 1 "user policy" HKCU
check "ProviderBehavior data 3 is reported as ignored" grep -q '"provider_behavior_ignored":\[{"name":"demoprov"' "$work/policy.json"
reg_clear

# A computer policy wins over a user policy.
reg_set HKCU "$key" FastShutdownBehavior REG_DWORD 2
reg_set HKLM "$key" FastShutdownBehavior REG_DWORD 0
expect FastShutdownBehavior "" 0 "machine policy" "A=0 B=0 thread=same"
reg_clear
# What Group Policy would never write: ignored, said, and the search goes on.
reg_set HKLM "$key" FastShutdownBehavior REG_SZ 2
reg_set HKCU "$key" FastShutdownBehavior REG_DWORD 1
expect FastShutdownBehavior "" 1 "user policy" "A=0 B=0x80040102 thread=same"
check "a REG_SZ machine policy is reported as ignored" grep -q '"reason":"is not a REG_DWORD"' "$work/policy.json"
reg_clear
reg_set HKLM "$key" ProviderTimeoutMs REG_DWORD $((max + 1))
expect ProviderTimeoutMs provider_timeout_ms 0 default "A=0 B=0 thread=same"
check "a deadline past the ADMX's maximum is reported as ignored" grep -q '"reason":"is out of range"' "$work/policy.json"
reg_clear
"$WINESERVER" -w

check_summary
