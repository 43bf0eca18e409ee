#!/usr/bin/env bash
# Install what libpkvmsim needs to build and test on Debian 12.
# Does nothing when everything is already there; needs root (or sudo) if not.
set -euo pipefail

pkgs=(
	build-essential cmake ninja-build pkg-config	# build
	libcmocka-dev libbsd-dev libedit-dev		# libraries
	clang libclang-rt-14-dev llvm			# clang, sanitizers, libFuzzer
	valgrind					# leak checking
	gcc-aarch64-linux-gnu				# the hyp cross build
	zip unzip					# ClusterFuzzLite's seed corpora
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "setup: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y \
	--no-install-recommends "${missing[@]}"
