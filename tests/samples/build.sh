#!/usr/bin/env bash
# Builds the binary test samples from the sources beside this script:
#   tests/samples/build.sh OUT_DIR
# PE files with mingw-w64 (and clang + lld-link for delay-load imports), a
# Mach-O with clang + lld, ELF files with gcc, a Go program with go, a .NET
# assembly with mono's mcs.
# The tests run it (once per test process) when the compilers are present.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUT_DIR}
mkdir -p "$out"
cd "$out"
cc_w=x86_64-w64-mingw32-gcc
"$cc_w" -O1 -s -o urlmon_dropper.exe "$src/urlmon_dropper.c" -lurlmon
"$cc_w" -O1 -s -o wininet_dropper.exe "$src/wininet_dropper.c" -lwininet
"$cc_w" -O1 -s -o winhttp_dropper.exe "$src/winhttp_dropper.c" -lwinhttp
# Delay-load imports: GNU ld leaves the delay-import directory empty, so this
# one is linked by lld-link with LLVM-style import libraries.
llvm-dlltool -m i386:x86-64 -d "$src/urlmon_delay.def" -l urlmon.lib
llvm-dlltool -m i386:x86-64 -d "$src/shell32_min.def" -l shell32.lib
clang -target x86_64-pc-windows-msvc -O1 -c "$src/delayload_dropper.c" -o delayload_dropper.obj
lld-link /out:delayload_dropper.exe /entry:main /subsystem:console /nodefaultlib \
  delayload_dropper.obj urlmon.lib shell32.lib /delayload:urlmon.dll >/dev/null
"$cc_w" -O1 -s -o hello.exe "$src/hello.c"
x86_64-w64-mingw32-windres "$src/certutil_version.rc" -O coff -o certutil_version.res
"$cc_w" -O1 -s -o certutil_lookalike.exe "$src/hello.c" certutil_version.res
gcc -O1 -o elf_libcurl_client "$src/elf_libcurl_client.c" "$(ls /usr/lib/*/libcurl.so.4 | head -n1)"
gcc -O1 -static -o elf_static_dropper "$src/elf_static_dropper.c"
clang -target x86_64-apple-macos11 -fuse-ld=lld -nostdlib -Wl,-undefined,dynamic_lookup -Wl,-e,_main \
  -o macho_curl_client "$src/macho_curl_client.c"
GOCACHE="$out/gocache" GOPATH="$out/gopath" GO111MODULE=off CGO_ENABLED=0 \
  go build -o go_fetcher "$src/go_fetcher.go"
mcs -nologo -out:dotnet_dropper.exe "$src/dotnet_dropper.cs"
echo "samples built in $out"
