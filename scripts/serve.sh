#!/usr/bin/env bash
# Serve a class from one machine: P Streamlit processes on loopback ports behind nginx.
#
#   bash scripts/serve.sh [--processes P] [--port PORT] [--listen ADDRESS] [--max-sessions M]
#
# P defaults to the number of cores, PORT to 8080, ADDRESS to 0.0.0.0 (every interface; the
# tests use 127.0.0.1), M (sessions one process admits) to clustering.constants.MAX_SESSIONS_PER_PROCESS.
# nginx (Debian's package, installed if missing) is sticky by a cookie it sets itself, so a
# class behind one NAT address spreads over the processes. A process that dies is started
# again. Ctrl-C or SIGTERM stops everything this script started. Nothing is written inside the
# repository: nginx's configuration and logs live in a temporary folder, removed at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

PROCESSES="$(nproc 2>/dev/null || echo 2)"
PORT=8080
LISTEN=0.0.0.0
MAX_SESSIONS=""
usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --processes) PROCESSES="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --listen) LISTEN="$2"; shift 2 ;;
    --max-sessions) MAX_SESSIONS="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "serve.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$PROCESSES" in ''|*[!0-9]*|0) echo "serve.sh: --processes needs a whole number ≥ 1" >&2; exit 2 ;; esac
case "$PORT" in ''|*[!0-9]*) echo "serve.sh: --port needs a port number" >&2; exit 2 ;; esac

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "[serve] Installing Debian's nginx..."
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
PYTHON="${PYTHON:-python3}"

# The upload limit has one home (clustering.constants.MAX_FILE_BYTES); nginx gets the same.
read -r MAX_UPLOAD_MB DEFAULT_MAX_SESSIONS < <(cd "$ROOT" && "$PYTHON" -c \
  "from clustering import constants as c; print(c.MAX_FILE_BYTES // 2**20, c.MAX_SESSIONS_PER_PROCESS)")
MAX_SESSIONS="${MAX_SESSIONS:-$DEFAULT_MAX_SESSIONS}"

# Loopback ports for the processes: free ones, asked of the kernel.
read -r -a PORTS < <("$PYTHON" - "$PROCESSES" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
)

RUN="$(mktemp -d /tmp/clustering-lab-serve.XXXXXX)"
chmod 755 "$RUN"   # nginx's workers (another user when run as root) read the error page here
mkdir -p "$RUN/html"
cp "$ROOT/deploy/restarting.html" "$RUN/html/lab-restarting.html"
cp "$ROOT/deploy/proxy.conf" "$RUN/proxy.conf"
chmod -R a+rX "$RUN/html"

upstreams=""
for port in "${PORTS[@]}"; do
  upstreams+="        server 127.0.0.1:${port} max_fails=0;"$'\n'
done
sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" -e "s|@LISTEN@|$LISTEN|g" \
    -e "s|@MAX_BODY@|${MAX_UPLOAD_MB}m|g" "$ROOT/deploy/nginx.conf.template" \
  | awk -v ups="$upstreams" '{ if ($0 == "@UPSTREAMS@") printf "%s", ups; else print }' \
  > "$RUN/nginx.conf"

SUPERVISORS=()
NGINX_PID=""
stopping=0
stop_all() {
  [ "$stopping" = 1 ] && return
  stopping=1
  touch "$RUN/stopping"
  echo "[serve] stopping..."
  # each supervisor sees "stopping" once its process has ended, and ends too
  local pids=() pid _
  for file in "$RUN"/streamlit-*.pid; do [ -e "$file" ] && pids+=("$(cat "$file")"); done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do  # up to 10 s for a clean exit, then no more waiting
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}" "${SUPERVISORS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$RUN"
  echo "[serve] stopped"
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

# One BLAS thread per process: P processes on P cores, not P × cores threads.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export CLUSTERING_LAB_MAX_SESSIONS="$MAX_SESSIONS" PYTHONUNBUFFERED=1

# Run process i on its port; start it again whenever it exits (until we are stopping).
supervise() {
  local i="$1" port="$2" pid status
  while [ ! -e "$RUN/stopping" ]; do
    (cd "$ROOT" && exec "$PYTHON" -m streamlit run app.py --server.port "$port" \
       --server.address 127.0.0.1 --server.headless true --server.fileWatcherType none \
       --server.runOnSave false --server.maxUploadSize "$MAX_UPLOAD_MB" \
       --server.enableXsrfProtection true --browser.gatherUsageStats false \
       --client.showErrorDetails none >"$RUN/streamlit-$i.log" 2>&1) &
    pid=$!
    echo "$pid" > "$RUN/streamlit-$i.pid"
    echo "[serve] process $i on 127.0.0.1:$port started (pid $pid)"
    status=0
    wait "$pid" || status=$?
    [ -e "$RUN/stopping" ] && break
    echo "[serve] process $i (pid $pid) exited with status $status; starting it again"
    sleep 1
  done
}

for i in "${!PORTS[@]}"; do
  supervise "$((i + 1))" "${PORTS[$i]}" &
  SUPERVISORS+=("$!")
done

# Wait until every process answers its health check, then start nginx.
for port in "${PORTS[@]}"; do
  for _ in $(seq 1 240); do
    if "$PYTHON" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
done
"$NGINX" -c "$RUN/nginx.conf" -p "$RUN" &
NGINX_PID=$!
for _ in $(seq 1 100); do  # until nginx answers on its port
  "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1' if '$LISTEN' == '0.0.0.0' else '$LISTEN', $PORT), 1)" 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null || break
  sleep 0.2
done

shown="$LISTEN"
if [ "$LISTEN" = "0.0.0.0" ]; then
  shown="$(hostname -I 2>/dev/null | awk '{print $1}')"
  shown="${shown:-$(hostname)}"
fi
echo "[serve] $PROCESSES process(es) on 127.0.0.1:${PORTS[*]}, nginx on $LISTEN:$PORT (pid $NGINX_PID)"
echo "[serve] at most $MAX_SESSIONS sessions per process; uploads up to $MAX_UPLOAD_MB MB"
echo "[serve] Give the students this address: http://$shown:$PORT/"
echo "[serve] Ctrl-C stops everything."

# Stay in the foreground; if nginx itself ends, stop everything.
status=0
wait "$NGINX_PID" || status=$?
if [ "$stopping" = 0 ]; then
  echo "[serve] nginx exited with status $status (see above); stopping" >&2
  exit 1
fi
