#!/usr/bin/env bash
# The OpenCL backend against the CPU engine (docs/gpu.md), runnable on a machine without network or Maven:
#
#   bench/opencl.sh package        builds the plugin jar and the harness into target/opencl-harness/: a jlink'd Java
#                                  runtime, the jars, the OpenCL ICD loader of this machine (if installed) and run.sh
#                                  (about 40 MB; copy or carry that folder to the GPU machine)
#   target/opencl-harness/run.sh [OpenClBench options]
#                                  on the GPU machine: finds the OpenCL loader and the NVIDIA driver's OpenCL library,
#                                  says what it found, and prints the table of dev.sift.bench.OpenClBench
#   bench/opencl.sh run [options]  packages if needed and runs here (on POCL: --device any)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/target/opencl-harness"
JDK="${SIFT_BENCH_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"

package() {
  (cd "$ROOT" && mvn -B -q install -DskipSurefire=true -DskipTests && mvn -B -q -f bench/pom.xml package)
  rm -rf "$OUT" && mkdir -p "$OUT/lib"
  "$JDK/bin/jlink" --add-modules java.base,java.logging,jdk.incubator.vector --strip-debug --no-header-files --no-man-pages \
    --compress=zip-6 --output "$OUT/runtime"
  cp "$ROOT"/target/elasticsearch-sift-*-es8.*.jar "$ROOT"/bench/target/elasticsearch-sift-bench-*.jar "$OUT/lib/"
  cp "$HOME/.m2/repository/org/jocl/jocl/2.0.6/jocl-2.0.6.jar" "$OUT/lib/"
  local loader
  loader="$(ldconfig -p 2>/dev/null | awk '/libOpenCL\.so\.1 .*x86-64/ {print $NF; exit}')"
  if [ -n "$loader" ]; then mkdir -p "$OUT/native" && cp -L "$loader" "$OUT/native/libOpenCL.so.1"; fi
  cat > "$OUT/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs dev.sift.bench.OpenClBench with the runtime and jars next to this script (see bench/opencl.sh).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1'; then
  if [ -f "$HERE/native/libOpenCL.so.1" ]; then
    echo "[opencl] no system OpenCL ICD loader: using the one carried in $HERE/native" >&2
    export LD_LIBRARY_PATH="$HERE/native${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  else
    echo "[opencl] no OpenCL ICD loader (libOpenCL.so.1) on this machine and none carried" >&2
  fi
fi
if [ -z "${OCL_ICD_VENDORS:-}" ] && ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then
  nv="$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1/ {print $NF; exit}')"
  [ -n "$nv" ] || nv="$(ls /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 /usr/lib64/libnvidia-opencl.so.1 2>/dev/null | head -n1 || true)"
  if [ -n "$nv" ]; then
    mkdir -p "$HERE/vendors" && echo "$nv" > "$HERE/vendors/nvidia.icd"
    export OCL_ICD_VENDORS="$HERE/vendors"
    echo "[opencl] no ICD files under /etc/OpenCL/vendors: pointing the loader at $nv" >&2
  else
    echo "[opencl] no ICD files under /etc/OpenCL/vendors and no libnvidia-opencl.so.1 found" >&2
  fi
fi
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || true
exec "$HERE/runtime/bin/java" --add-modules jdk.incubator.vector -Xmx16g -cp "$HERE/lib/*" dev.sift.bench.OpenClBench "$@"
RUN
  chmod +x "$OUT/run.sh"
  echo "[opencl] harness in $OUT ($(du -sh "$OUT" | cut -f1))" >&2
}

case "${1:-}" in
  package) package ;;
  run) shift; [ -x "$OUT/run.sh" ] || package; "$OUT/run.sh" "$@" ;;
  *) echo "usage: bench/opencl.sh package | run [OpenClBench options]" >&2; exit 2 ;;
esac
