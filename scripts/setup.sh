#!/usr/bin/env bash
# setup.sh: install suturefleet's Debian 12 dependencies, build it (warnings as errors) and run
# the default experiment. Idempotent: run it again at any time.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages (as root, or through sudo)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config ca-certificates \
  libmujoco-dev libmujoco-samples libhdf5-dev hdf5-tools libcmocka-dev libinih-dev \
  libosmesa6-dev libglfw3-dev libpng-dev ffmpeg gnuplot-nox xvfb xauth python3-h5py \
  libopenmpi-dev openmpi-bin openssh-client \
  clang libclang-rt-14-dev valgrind chromium

# build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSF_WERROR=ON -DSUTUREFLEET_MPI=ON
cmake --build build -j"$(nproc)"

# the default experiment; its store is this script's own output, so it is replaced each time
mkdir -p runs
./build/suturefleet run --store runs/default.h5 --force
