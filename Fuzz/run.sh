#!/bin/sh
# Builds one libFuzzer target with `swiftc -sanitize=fuzzer` and runs it for a
# bounded time over a corpus seeded from the project's fixtures. Not part of CI
# (see docs/fuzzing.md). Usage: Fuzz/run.sh json|xml [seconds]
set -eu
target=${1:?usage: Fuzz/run.sh json|xml [seconds]}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.build/fuzz"
mkdir -p "$out/corpus-$target"
flags="-parse-as-library -sanitize=fuzzer,address -enable-upcoming-feature InternalImportsByDefault -Onone"
case "$target" in
json)
    cp "$root"/Fixtures/orders/*.json "$out/corpus-$target/" 2>/dev/null || true
    swiftc $flags -module-name JSONFuzz \
        "$root/Sources/YidanIngest/JSONParser.swift" "$root/Sources/YidanIngest/JSONValue.swift" \
        "$root/Fuzz/JSONParserFuzzer.swift" -o "$out/fuzz-json"
    ;;
xml)
    reference="$root/../shared/reference/ceb/202205/samples/import"
    [ -d "$reference" ] && cp "$reference"/*.xml "$out/corpus-$target/"
    libxml="-I $root/Sources/CLibXML2 -Xcc -I/usr/include/libxml2"
    # The two modules the parser needs, instrumented, one object each.
    swiftc $flags -wmo -module-name YidanCore -emit-module -emit-module-path "$out/YidanCore.swiftmodule" \
        -c "$root"/Sources/YidanCore/*.swift -o "$out/YidanCore.o"
    swiftc $flags -wmo -module-name YidanXML -I "$out" $libxml -emit-module -emit-module-path "$out/YidanXML.swiftmodule" \
        -c "$root"/Sources/YidanXML/*.swift -o "$out/YidanXML.o"
    swiftc $flags -module-name XMLFuzz -I "$out" $libxml "$root/Fuzz/XMLParserFuzzer.swift" \
        "$out/YidanCore.o" "$out/YidanXML.o" -lxml2 -o "$out/fuzz-xml"
    ;;
*) echo "unknown target $target (json or xml)" >&2; exit 2 ;;
esac
mkdir -p "$out/crashes-$target"
"$out/fuzz-$target" -max_total_time="$seconds" -max_len=65536 -artifact_prefix="$out/crashes-$target/" "$out/corpus-$target"
