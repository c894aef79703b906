#!/usr/bin/env bash
# Builds the binary test samples from the sources beside this script:
#   tests/samples/build.sh OUT_DIR
# PE files with mingw-w64 (and clang + lld-link for delay-load imports), a
# Mach-O with clang + lld, ELF files with gcc, Go programs with go, Rust
# programs with cargo (crates from crates.io, built once into OUT_DIR), a
# .NET assembly with mono's mcs. Samples named *_big carry 9 MiB of padding
# placed so that their code and strings lie past the first 8 MiB.
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

# Stripped static dropper; the big one has code padding before .text.
gcc -O1 -static -s -o elf_stripped_dropper "$src/elf_stripped_dropper.c"
gcc -O1 -static -s -DPAD -o elf_stripped_dropper_big "$src/elf_stripped_dropper.c"

# Go downloader and server, stripped (-s -w); the big ones carry a 9 MiB
# string constant, which the linker puts in .rodata before the pclntab.
for prog in go_downloader go_server; do
  for size in small big; do
    d="$out/go-$prog-$size"
    mkdir -p "$d"
    cp "$src/$prog.go" "$d/"
    if [ "$size" = small ]; then
      printf 'package main\n\nfunc padding() {}\n' >"$d/pad.go"
      name=$prog
    else
      [ -s "$d/pad.go" ] || {
        printf 'package main\n\nimport "os"\n\nvar pad = "'
        head -c 9437184 /dev/zero | tr '\0' x
        printf '"\n\nfunc padding() {\n\tif len(os.Args) > 99 {\n\t\tprintln(pad)\n\t}\n}\n'
      } >"$d/pad.go"
      name=${prog}_big
    fi
    (cd "$d" && GOCACHE="$out/gocache" GOPATH="$out/gopath" GO111MODULE=off CGO_ENABLED=0 \
      go build -ldflags="-s -w" -o "$out/$name" .)
  done
done

# Rust downloader and server, stripped; `--features pad` adds code padding
# before the code. GNU ld keeps .rodata after .text (rust-lld would not).
for prog in rust_fetch rust_serve; do
  for feat in "" pad; do
    RUSTFLAGS="-C link-arg=-fuse-ld=bfd" cargo build -q --release --locked \
      --manifest-path "$src/$prog/Cargo.toml" --target-dir "$out/rust-target" \
      ${feat:+--features $feat}
    cp "$out/rust-target/release/$prog" "$out/$prog${feat:+_big}"
  done
done
echo "samples built in $out"
