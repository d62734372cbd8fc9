#!/usr/bin/env bash
# Run a real Elasticsearch node (or a small cluster) with the freshly built sift plugin installed.
#
#   scripts/node.sh start [--nodes N]   start N nodes (default 1), wait for yellow health, print the URL
#   scripts/node.sh stop                stop every node started from this checkout
#   scripts/node.sh status              say whether the node(s) run, with cluster health
#   scripts/node.sh url                 print the HTTP URL of the first node (fails when none runs)
#   scripts/node.sh java-home           print the JDK the node would run on
#   scripts/node.sh plugin-zip          print the plugin zip the node would install (built when missing)
#   scripts/node.sh logs                print the paths of the nodes' main log files
#   scripts/node.sh restart [--hard] [--node I]
#                                       restart the running node(s) in place, keeping their data (start
#                                       always begins a clean cluster); --hard kills with SIGKILL (a crash)
#                                       instead of a clean shutdown; --node I restarts only node-I
#
# The distribution is the integ-test zip of Elasticsearch (no bundled JDK, modules: x-pack-core,
# x-pack-security, transport-netty4, apm), fetched from Maven Central by Maven and unpacked under
# target/node/. Elasticsearch refuses to run as root: as root the nodes run as a system user
# (SIFT_ES_USER, default sift-es), which scripts/setup creates.
#
# Environment overrides:
#   SIFT_ES_VERSION     Elasticsearch version: 8.19.21 (default) or 9.3.2; the plugin zip built for it is
#                       installed (built with `mvn -Pes9` for 9.x when missing; 9.x needs a JDK 21+)
#   SIFT_ES_HTTP_PORT   first HTTP port to try (default 9200; the next free one is taken)
#   SIFT_ES_TRANSPORT_PORT first transport port to try (default 9300)
#   SIFT_ES_HEAP        heap per node, e.g. 1g (default 512m)
#   SIFT_ES_JAVA_HOME   JDK for the node (default: newest JDK 21+ under /usr/lib/jvm, else JAVA_HOME,
#                       else the java on PATH)
#   SIFT_ES_JAVA_OPTS   extra JVM flags for the node
#   SIFT_ES_USER        user that runs the node when this script runs as root (default sift-es)
#   SIFT_NODE_DIR       where distribution, config, data and logs live (default <repo>/target/node)
#   SIFT_ES_START_TIMEOUT seconds to wait for yellow health (default 120)
#   SIFT_PLUGIN_ZIP     plugin zip to install (default target/releases/elasticsearch-sift-*.zip)
#   SIFT_ES_SETTINGS    extra lines for each node's elasticsearch.yml, e.g. $'sift.backend: gpu\nsift.gpu.device_type: any'
#   SIFT_ES_ENV         extra environment for the nodes, as VAR=value words, e.g. OCL_ICD_VENDORS=/nonexistent
#
# The nodes share POCL_CACHE_DIR=$SIFT_NODE_DIR/pocl-cache. When SIFT_ES_SETTINGS accepts any OpenCL device
# (sift.gpu.device_type: any) and POCL is installed, start first fills that cache with the plugin's OpenClWarmup, as
# the node user: POCL links kernels with the system linker, which the node's system call filter forbids.
set -euo pipefail
umask 022

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The versions the pom builds zips for: the first <elasticsearch.version> is the default (es8) profile's.
DEFAULT_ES_VERSION="$(sed -n 's:.*<elasticsearch.version>\(.*\)</elasticsearch.version>.*:\1:p' "$ROOT/pom.xml" | head -n1)"
ES_VERSION="${SIFT_ES_VERSION:-${DEFAULT_ES_VERSION:-8.19.21}}"
ES_MAJOR="${ES_VERSION%%.*}"
ES_USER="${SIFT_ES_USER:-sift-es}"
HEAP="${SIFT_ES_HEAP:-512m}"
START_TIMEOUT="${SIFT_ES_START_TIMEOUT:-120}"
CLUSTER_NAME="sift-it"

log() { echo "[node.sh] $*" >&2; }
die() { echo "[node.sh] ERROR: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------------------------------------
# Where things live. As root, the node user must be able to reach the node directory; a checkout
# under a private home (e.g. /root) is not reachable, so then the node lives under /var/tmp.
# ---------------------------------------------------------------------------------------------
node_base() {
  if [ -n "${SIFT_NODE_DIR:-}" ]; then echo "$SIFT_NODE_DIR"; return; fi
  local base="$ROOT/target/node"
  if is_root; then
    # every directory from / to the checkout must be searchable by "others"
    local d="$ROOT" ok=1
    while [ "$d" != "/" ]; do
      if (( ($(stat -c %a "$d") % 10 & 1) == 0 )); then ok=0; break; fi
      d="$(dirname "$d")"
    done
    if [ "$ok" -eq 0 ]; then
      base="/var/tmp/sift-node-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
    fi
  fi
  echo "$base"
}

BASE="$(node_base)"
DIST_DIR="$BASE/dist"
ES_HOME="$DIST_DIR/elasticsearch-$ES_VERSION"
STATE_FILE="$BASE/cluster.state"   # NODES=, HTTP_PORTS=, URL=

# ---------------------------------------------------------------------------------------------
# JDK selection
# ---------------------------------------------------------------------------------------------
java_major() { # $1 = java home; prints the feature version or nothing
  local home="$1" v=""
  if [ -f "$home/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n1)"
  fi
  if [ -z "$v" ] && [ -x "$home/bin/java" ]; then
    v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  fi
  [ -n "$v" ] || return 0
  v="${v#1.}"
  echo "${v%%[.+-]*}"
}

pick_java_home() {
  if [ -n "${SIFT_ES_JAVA_HOME:-}" ]; then echo "$SIFT_ES_JAVA_HOME"; return; fi
  local best="" best_v=0 home v
  for home in /usr/lib/jvm/*/ /opt/java/*/ /opt/*jdk*/; do
    home="${home%/}"
    [ -x "$home/bin/java" ] || continue
    v="$(java_major "$home")"
    [ -n "$v" ] || continue
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$home"; best_v="$v"; fi
  done
  if [ -n "$best" ]; then echo "$best"; return; fi
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME"; return; fi
  local j
  j="$(command -v java || true)"
  [ -n "$j" ] || die "no Java found: install a JDK 17+ or set SIFT_ES_JAVA_HOME"
  j="$(readlink -f "$j")"
  dirname "$(dirname "$j")"
}

# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------
node_dir() { echo "$BASE/node-$1"; }
pid_of() { # $1 = node index; prints pid if alive
  local pf
  pf="$(node_dir "$1")/es.pid"
  [ -s "$pf" ] || return 0
  local pid
  pid="$(tr -dc '0-9' < "$pf")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}
# PIDs of this node's JVMs found by their command line: the CLI launcher names the node's private
# config directory, the server its private temp directory. Catches a server that has not written
# its pidfile yet and a launcher still waiting for it.
stray_pids_of() {
  local dir
  dir="$(node_dir "$1")"
  pgrep -f -- "-Des.path.conf=$dir/config( |\$)" 2>/dev/null || true
  pgrep -f -- "-Djava.io.tmpdir=$dir/tmp( |\$)" 2>/dev/null || true
}

all_node_indexes() {
  local d
  for d in "$BASE"/node-*; do
    [ -d "$d" ] || continue
    echo "${d##*/node-}"
  done
}

stop_node() { # $1 = node index
  local i="$1" pids pid waited=0
  pids="$(pid_of "$i") $(stray_pids_of "$i")"
  pids="$(echo "$pids" | tr ' ' '\n' | grep -E '^[0-9]+$' | sort -u | tr '\n' ' ' || true)"
  [ -n "${pids// /}" ] || { rm -f "$(node_dir "$i")/es.pid"; return 0; }
  log "stopping node-$i (pid $pids)"
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  while :; do
    local alive=""
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
    [ -n "$alive" ] || break
    if [ "$waited" -ge 60 ]; then
      log "node-$i did not stop in 60 s, killing$alive"
      for pid in $alive; do kill -KILL "$pid" 2>/dev/null || true; done
      sleep 1
      break
    fi
    sleep 1; waited=$((waited + 1))
  done
  rm -f "$(node_dir "$i")/es.pid"
}

stop_all() {
  local i
  for i in $(all_node_indexes); do stop_node "$i"; done
  rm -f "$STATE_FILE"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# next port >= $1 that is free and not in the space-separated list $2
free_port() {
  local p="$1" taken=" $2 "
  while port_in_use "$p" || [[ "$taken" == *" $p "* ]]; do
    p=$((p + 1))
    [ "$p" -lt 65535 ] || die "no free port found"
  done
  echo "$p"
}

http_get() { curl -fsS --max-time "${2:-10}" "$1"; }

# ---------------------------------------------------------------------------------------------
# Distribution and plugin
# ---------------------------------------------------------------------------------------------
ensure_distribution() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  mkdir -p "$DIST_DIR"
  local zip="$DIST_DIR/elasticsearch-$ES_VERSION.zip"
  if [ ! -s "$zip" ]; then
    log "fetching org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip with Maven"
    # run outside the project so that a half-edited pom cannot break this
    (cd "$DIST_DIR" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
      -DoutputDirectory="$DIST_DIR" -Dmdep.overWriteReleases=true) >&2 \
      || die "could not fetch the Elasticsearch distribution with Maven"
  fi
  log "unpacking $zip"
  rm -rf "$ES_HOME" "$DIST_DIR/unpack.tmp"
  mkdir -p "$DIST_DIR/unpack.tmp"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$zip" -d "$DIST_DIR/unpack.tmp"
  else
    (cd "$DIST_DIR/unpack.tmp" && "$(pick_java_home)/bin/jar" xf "$zip")
    chmod +x "$DIST_DIR/unpack.tmp/elasticsearch-$ES_VERSION"/bin/*
  fi
  mv "$DIST_DIR/unpack.tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rmdir "$DIST_DIR/unpack.tmp"
}

# Elasticsearch 9 needs Java 21+ (the integ-test distribution bundles no JDK): say so in one line.
check_java_for_version() {
  [ "$ES_MAJOR" -ge 9 ] || return 0
  local jh v
  jh="$(pick_java_home)"
  v="$(java_major "$jh")"
  if [ -z "$v" ] || [ "$v" -lt 21 ]; then
    die "Elasticsearch $ES_VERSION needs a JDK 21+, found ${v:-none} at $jh: install one under /usr/lib/jvm or set SIFT_ES_JAVA_HOME"
  fi
}

plugin_zip() {
  if [ -n "${SIFT_PLUGIN_ZIP:-}" ]; then echo "$SIFT_PLUGIN_ZIP"; return; fi
  local z pattern="$ROOT/target/releases/elasticsearch-sift-*-es$ES_VERSION.zip"
  z="$(ls -1t $pattern 2>/dev/null | head -n1 || true)"
  if [ -z "$z" ]; then
    local -a build=(mvn -B -q -DskipTests package)
    [ "$ES_MAJOR" -ge 9 ] && build=(env JAVA_HOME="$(pick_java_home)" mvn -B -q -Pes9 -DskipTests package)
    log "no plugin zip for Elasticsearch $ES_VERSION in target/releases, building it (${build[*]})"
    (cd "$ROOT" && "${build[@]}") >&2 || die "plugin build failed"
    z="$(ls -1t $pattern 2>/dev/null | head -n1 || true)"
    [ -n "$z" ] || die "the build produced no $pattern"
  fi
  echo "$z"
}

# (Re)installs the plugin when the zip differs from the installed one. Prints "changed" if it did.
ensure_plugin() {
  local zip sum stamp="$ES_HOME.installed-plugin.sha256"
  zip="$(plugin_zip)"
  sum="$(sha256sum "$zip" | cut -d' ' -f1)"
  if [ -d "$ES_HOME/plugins/sift" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    return 0
  fi
  local jh
  jh="$(pick_java_home)"
  if [ -d "$ES_HOME/plugins/sift" ]; then
    log "removing the previously installed sift plugin"
    ES_JAVA_HOME="$jh" ES_PATH_CONF="$ES_HOME/config" "$ES_HOME/bin/elasticsearch-plugin" remove --purge sift >&2 \
      || rm -rf "$ES_HOME/plugins/sift"
  fi
  log "installing $zip"
  ES_JAVA_HOME="$jh" ES_PATH_CONF="$ES_HOME/config" \
    "$ES_HOME/bin/elasticsearch-plugin" install --batch "file://$zip" >&2 \
    || die "elasticsearch-plugin install failed for $zip"
  echo "$sum" > "$stamp"
  echo changed
}

ensure_user() {
  is_root || return 0
  id -u "$ES_USER" >/dev/null 2>&1 \
    || die "Elasticsearch refuses to run as root and there is no user $ES_USER to run it: run scripts/setup (it creates one)"
}

# run "$@" as the node user (or as ourselves when not root)
as_node_user() {
  if ! is_root; then "$@"; return; fi
  if command -v runuser >/dev/null 2>&1; then
    runuser -u "$ES_USER" -- "$@"
  elif command -v setpriv >/dev/null 2>&1; then
    setpriv --reuid="$(id -u "$ES_USER")" --regid="$(id -g "$ES_USER")" --init-groups -- "$@"
  else
    su -s /bin/bash "$ES_USER" -c "$(printf '%q ' "$@")"
  fi
}

# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------
write_node_config() { # $1 index, $2 nodes, $3 http port, $4 transport port, $5 all transport ports
  local i="$1" n="$2" http="$3" tport="$4" tports="$5" dir conf
  dir="$(node_dir "$i")"
  conf="$dir/config"
  mkdir -p "$conf" "$dir/data" "$dir/logs" "$dir/tmp"
  # fresh copy of the distribution's config (log4j2, jvm.options, ...), keeping a keystore if any
  local f
  for f in "$ES_HOME"/config/*; do
    [ -f "$f" ] && cp -f "$f" "$conf/"
  done
  {
    echo "# written by scripts/node.sh"
    echo "cluster.name: $CLUSTER_NAME"
    echo "node.name: node-$i"
    echo "network.host: 127.0.0.1"
    echo "http.port: $http"
    echo "transport.port: $tport"
    echo "path.data: $dir/data"
    echo "path.logs: $dir/logs"
    echo "xpack.security.enabled: false"
    echo "action.destructive_requires_name: false"
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    if [ "$n" -eq 1 ]; then
      echo "discovery.type: single-node"
    else
      local seeds="" masters="" p j=0
      for p in $tports; do
        seeds="${seeds:+$seeds, }\"127.0.0.1:$p\""
        masters="${masters:+$masters, }\"node-$j\""
        j=$((j + 1))
      done
      echo "discovery.seed_hosts: [$seeds]"
      echo "cluster.initial_master_nodes: [$masters]"
    fi
    if [ -n "${SIFT_ES_SETTINGS:-}" ]; then printf '%s\n' "$SIFT_ES_SETTINGS"; fi
  } > "$conf/elasticsearch.yml"
  # one small heap; the integ-test zip's jvm.options has no heap settings
  mkdir -p "$conf/jvm.options.d"
  printf -- '-Xms%s\n-Xmx%s\n' "$HEAP" "$HEAP" > "$conf/jvm.options.d/heap.options"
  # the gc log goes to the node's log directory, not the working directory
  sed -i "s#file=gc.log#file=$dir/logs/gc.log#; s#-XX:ErrorFile=hs_err_pid%p.log#-XX:ErrorFile=$dir/logs/hs_err_pid%p.log#" "$conf/jvm.options"
}

# Starts the node in $1 as a daemon on the JDK in $2, in the background; its launcher's output is appended to
# $1/startup.out and its pid left in $! (the launcher returns once the node is up or has failed).
launch_node() {
  local dir="$1" java_home="$2"
  (
    cd "$dir"
    # shellcheck disable=SC2086 # SIFT_ES_ENV is a list of VAR=value words
    as_node_user env -u JAVA_HOME -u JAVA_TOOL_OPTIONS -u _JAVA_OPTIONS \
      ES_JAVA_HOME="$java_home" ES_PATH_CONF="$dir/config" ES_TMPDIR="$dir/tmp" \
      ES_JAVA_OPTS="${SIFT_ES_JAVA_OPTS:-}" POCL_CACHE_DIR="$BASE/pocl-cache" ${SIFT_ES_ENV:-} \
      "$ES_HOME/bin/elasticsearch" -d -p "$dir/es.pid"
  ) >> "$dir/startup.out" 2>&1 < /dev/null 9>&- &
}

# A running cluster is reused only if it was started with the same extra settings and environment.
extra_sum() {
  printf '%s\n%s\n' "${SIFT_ES_SETTINGS:-}" "${SIFT_ES_ENV:-}" | sha256sum | cut -d' ' -f1
}

# Fills POCL's kernel cache for the nodes (see the header) when their settings accept a CPU OpenCL device.
warm_opencl() {
  local java_home="$1"
  case "${SIFT_ES_SETTINGS:-}" in *"sift.gpu.device_type: any"*) ;; *) return 0 ;; esac
  [ -f /etc/OpenCL/vendors/pocl.icd ] || return 0
  mkdir -p "$BASE/pocl-cache" "$BASE/pocl-tmp"
  if is_root; then chown "$ES_USER:" "$BASE/pocl-cache" "$BASE/pocl-tmp"; fi
  log "filling POCL's kernel cache for the nodes ($BASE/pocl-cache)"
  # shellcheck disable=SC2086
  as_node_user env POCL_CACHE_DIR="$BASE/pocl-cache" ${SIFT_ES_ENV:-} "$java_home/bin/java" -Djava.io.tmpdir="$BASE/pocl-tmp" \
    -cp "$ES_HOME/plugins/sift/*" dev.sift.engine.backend.opencl.OpenClWarmup any >&2 \
    || log "OpenClWarmup failed: the nodes will say why in their logs"
}

print_failure_logs() {
  local i dir
  for i in $(all_node_indexes); do
    dir="$(node_dir "$i")"
    echo "----- node-$i: startup output ($dir/startup.out) -----" >&2
    tail -n 15 "$dir/startup.out" >&2 2>/dev/null || true
    echo "----- node-$i: tail of $dir/logs/$CLUSTER_NAME.log -----" >&2
    tail -n 80 "$dir/logs/$CLUSTER_NAME.log" >&2 2>/dev/null || echo "(no log)" >&2
  done
}

read_state() {
  STATE_NODES=""; STATE_URL=""; STATE_SUM=""; STATE_EXTRA=""
  [ -f "$STATE_FILE" ] || return 0
  STATE_NODES="$(sed -n 's/^NODES=//p' "$STATE_FILE")"
  STATE_URL="$(sed -n 's/^URL=//p' "$STATE_FILE")"
  STATE_SUM="$(sed -n 's/^PLUGIN_SHA256=//p' "$STATE_FILE")"
  STATE_EXTRA="$(sed -n 's/^EXTRA_SHA256=//p' "$STATE_FILE")"
}

running_count() {
  local i c=0
  for i in $(all_node_indexes); do [ -n "$(pid_of "$i")" ] && c=$((c + 1)); done
  echo "$c"
}

cmd_start() {
  local n=1
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) n="${2:?--nodes needs a number}"; shift 2 ;;
      --nodes=*) n="${1#--nodes=}"; shift ;;
      *) die "unknown option for start: $1" ;;
    esac
  done
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--nodes must be a positive number, got '$n'"
  command -v curl >/dev/null 2>&1 || die "curl is needed"

  mkdir -p "$BASE"
  check_java_for_version
  ensure_distribution
  local changed
  changed="$(ensure_plugin)"

  # Already running with the same plugin and node count? Then there is nothing to do.
  read_state
  local sum
  sum="$(cat "$ES_HOME.installed-plugin.sha256")"
  local extra
  extra="$(extra_sum)"
  if [ -z "$changed" ] && [ "$STATE_NODES" = "$n" ] && [ "$STATE_SUM" = "$sum" ] && [ "$STATE_EXTRA" = "$extra" ] \
     && [ "$(running_count)" = "$n" ] && http_get "$STATE_URL/_cluster/health" >/dev/null 2>&1; then
    log "already running ($n node(s)) at $STATE_URL"
    echo "$STATE_URL"
    return 0
  fi
  stop_all
  # remove nodes from an earlier, bigger start and the old data (every start is a clean cluster)
  rm -rf "$BASE"/node-*

  local java_home jv
  java_home="$(pick_java_home)"
  jv="$(java_major "$java_home")"
  log "JDK for the node: $java_home (Java ${jv:-?}), Elasticsearch $ES_VERSION"
  ensure_user

  local http_ports="" tports="" i p taken=""
  p="${SIFT_ES_HTTP_PORT:-9200}"
  for ((i = 0; i < n; i++)); do
    p="$(free_port "$p" "$taken")"; http_ports="$http_ports $p"; taken="$taken $p"; p=$((p + 1))
  done
  p="${SIFT_ES_TRANSPORT_PORT:-9300}"
  for ((i = 0; i < n; i++)); do
    p="$(free_port "$p" "$taken")"; tports="$tports $p"; taken="$taken $p"; p=$((p + 1))
  done
  http_ports="${http_ports# }"; tports="${tports# }"
  local -a hp=($http_ports) tp=($tports)
  for ((i = 0; i < n; i++)); do
    write_node_config "$i" "$n" "${hp[$i]}" "${tp[$i]}" "$tports"
  done
  if is_root; then chown -R "$ES_USER:" "$BASE"/node-*; fi
  warm_opencl "$java_home"

  local url="http://127.0.0.1:${hp[0]}"
  # From here on, a failure (or Ctrl-C) must not leave a node behind.
  START_OK=0
  trap 'if [ "$START_OK" != 1 ]; then print_failure_logs; stop_all; fi' EXIT
  trap 'exit 130' INT TERM

  # Start all nodes at once: with several nodes each waits for the others to form a cluster.
  local -a launchers=()
  for ((i = 0; i < n; i++)); do
    local dir
    dir="$(node_dir "$i")"
    log "starting node-$i: http ${hp[$i]}, transport ${tp[$i]}, heap $HEAP, dir $dir"
    : > "$dir/startup.out"
    launch_node "$dir" "$java_home"
    launchers+=($!)
  done
  # The launchers return once their node is up (or has failed); bound the wait.
  local deadline=$((SECONDS + START_TIMEOUT)) rc=0 l
  for l in "${launchers[@]}"; do
    while kill -0 "$l" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 1; done
    if kill -0 "$l" 2>/dev/null; then
      log "Elasticsearch did not start within ${START_TIMEOUT}s"
      kill "$l" 2>/dev/null || true
      false
    fi
    wait "$l" || rc=1
  done
  if [ "$rc" -ne 0 ]; then
    log "Elasticsearch failed to start"
    false
  fi

  local ok=0
  while [ "$SECONDS" -lt "$deadline" ]; do
    if http_get "$url/_cluster/health?wait_for_status=yellow&wait_for_nodes=$n&timeout=5s" 10 2>/dev/null \
        | grep -q '"timed_out":false'; then
      ok=1; break
    fi
    for ((i = 0; i < n; i++)); do
      if [ -z "$(pid_of "$i")" ] && [ -s "$(node_dir "$i")/es.pid" ]; then
        log "node-$i exited during startup"; false
      fi
    done
    sleep 1
  done
  if [ "$ok" -ne 1 ]; then
    log "cluster not yellow with $n node(s) after ${START_TIMEOUT}s"
    false
  fi
  START_OK=1
  {
    echo "NODES=$n"
    echo "URL=$url"
    echo "HTTP_PORTS=$http_ports"
    echo "TRANSPORT_PORTS=$tports"
    echo "PLUGIN_SHA256=$sum"
    echo "EXTRA_SHA256=$extra"
    echo "JAVA_HOME=$java_home"
    echo "ES_VERSION=$ES_VERSION"
  } > "$STATE_FILE"
  log "up: $n node(s), $url"
  echo "$url"
}

cmd_stop() {
  [ -d "$BASE" ] || { log "nothing to stop"; return 0; }
  stop_all
  log "stopped"
}

cmd_status() {
  read_state
  local c
  c="$(running_count)"
  if [ "$c" -eq 0 ]; then echo "not running"; return 1; fi
  echo "running: $c node(s) at ${STATE_URL:-?}"
  if [ -n "$STATE_URL" ]; then http_get "$STATE_URL/_cluster/health?pretty" || true; fi
}

cmd_url() {
  read_state
  if [ -z "$STATE_URL" ] || [ "$(running_count)" -eq 0 ]; then die "no node is running (scripts/node.sh start)"; fi
  echo "$STATE_URL"
}

# Restarts the node(s) of the last start in place: same configuration, ports and data. For tests of what
# survives a restart or a crash (--hard: SIGKILL, no clean shutdown).
cmd_restart() {
  local hard=0 only="" i
  while [ $# -gt 0 ]; do
    case "$1" in
      --hard) hard=1; shift ;;
      --node) only="${2:?--node needs a number}"; shift 2 ;;
      --node=*) only="${1#--node=}"; shift ;;
      *) die "unknown option for restart: $1" ;;
    esac
  done
  read_state
  [ -n "$STATE_NODES" ] || die "no cluster to restart (scripts/node.sh start first)"
  local n="$STATE_NODES" java_home started_version
  java_home="$(sed -n 's/^JAVA_HOME=//p' "$STATE_FILE")"
  started_version="$(sed -n 's/^ES_VERSION=//p' "$STATE_FILE")"
  if [ -n "$started_version" ]; then ES_VERSION="$started_version"; ES_HOME="$DIST_DIR/elasticsearch-$ES_VERSION"; fi
  [ -n "$java_home" ] || java_home="$(pick_java_home)"
  local -a idx=()
  if [ -n "$only" ]; then idx=("$only"); else for ((i = 0; i < n; i++)); do idx+=("$i"); done; fi
  for i in "${idx[@]}"; do
    [ -d "$(node_dir "$i")/config" ] || die "node-$i has no configuration under $(node_dir "$i")"
    if [ "$hard" -eq 1 ]; then
      local pids pid waited=0
      pids="$(echo "$(pid_of "$i") $(stray_pids_of "$i")" | tr ' ' '\n' | grep -E '^[0-9]+$' | sort -u | tr '\n' ' ' || true)"
      log "killing node-$i with SIGKILL (pid $pids)"
      for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
      for pid in $pids; do
        while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 150 ]; do sleep 0.2; waited=$((waited + 1)); done
      done
      rm -f "$(node_dir "$i")/es.pid"
    else
      stop_node "$i"
    fi
  done
  local -a launchers=()
  for i in "${idx[@]}"; do
    local dir
    dir="$(node_dir "$i")"
    log "restarting node-$i, dir $dir"
    launch_node "$dir" "$java_home"
    launchers+=($!)
  done
  local deadline=$((SECONDS + START_TIMEOUT)) rc=0 l
  for l in "${launchers[@]}"; do
    while kill -0 "$l" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 1; done
    if kill -0 "$l" 2>/dev/null; then kill "$l" 2>/dev/null || true; rc=1; fi
    wait "$l" || rc=1
  done
  if [ "$rc" -ne 0 ]; then print_failure_logs; die "Elasticsearch failed to restart"; fi
  while [ "$SECONDS" -lt "$deadline" ]; do
    if http_get "$STATE_URL/_cluster/health?wait_for_status=yellow&wait_for_nodes=$n&timeout=5s" 10 2>/dev/null \
        | grep -q '"timed_out":false'; then
      log "restarted: $n node(s), $STATE_URL"
      echo "$STATE_URL"
      return 0
    fi
    sleep 1
  done
  print_failure_logs
  die "cluster not yellow with $n node(s) after ${START_TIMEOUT}s"
}

# One start/stop at a time per node directory (several people or test runs may share a checkout).
# The nodes themselves must not inherit the lock's descriptor (see cmd_start).
take_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  mkdir -p "$BASE"
  exec 9>"$BASE/.lock"
  if ! flock -n 9; then
    log "waiting for another scripts/node.sh on $BASE to finish"
    flock -w 900 9 || die "timed out waiting for the lock on $BASE/.lock"
  fi
}

case "${1:-}" in
  start) shift; take_lock; cmd_start "$@" ;;
  java-home) pick_java_home ;;  # the JDK this script would run the node with (used by scripts/test)
  plugin-zip) plugin_zip ;;     # the zip for SIFT_ES_VERSION (used by scripts/bench-node)
  logs) for i in $(all_node_indexes); do f="$(node_dir "$i")/logs/$CLUSTER_NAME.log"; [ -f "$f" ] && echo "$f"; done; true ;;
  stop) shift; take_lock; cmd_stop ;;
  restart) shift; take_lock; cmd_restart "$@" ;;
  status) shift; cmd_status ;;
  url) shift; cmd_url ;;
  *) echo "usage: $0 start [--nodes N] | stop | status | url | restart [--hard] [--node I] | logs | java-home | plugin-zip" >&2; exit 2 ;;
esac
