# Sourced by scripts/mediation-demo and scripts/deliberation-demo: a street
# hub in "$dir/hub" serving on loopback (port "$port"), with a grid worker's
# phone ("$dir/phone", gw-001, grid 522701001001001) and a community office
# ("$dir/office", cs-001, community 522701001001) enrolled and synced once.
# Defines gl (run gridline, echoing the command), json_id and sync DEVICE.
# Device stores are encrypted; where there is no system key store (as here)
# the key comes from this demo PIN (docs/deploy.md).
export GRIDLINE_PIN="${GRIDLINE_DEMO_PIN:-246810}"
cargo build --release --locked -q -p gridline-cli
gl() { echo "\$ gridline $*" >&2; ./target/release/gridline "$@"; }
code_for() { ./target/release/gridline --data "$dir/hub" --json hub enroll "$@" | sed -n 's/.*"code": *"\([^"]*\)".*/\1/p'; }
json_id() { sed -n 's/.*"id": *"\([0-9a-f-]*\)".*/\1/p' | head -1; }

gl --data "$dir/hub" hub init
gl --data "$dir/hub" hub import ../shared/data/households-sample-utf8bom.csv 2>/dev/null \
    || gl --data "$dir/hub" demo seed --scale grid --seed 1
phone_code=$(code_for --user gw-001 --name 张伟 --role grid-worker --scope grids:522701001001001)
office_code=$(code_for --user cs-001 --name 王芳 --role community-staff --scope community:522701001001)

./target/release/gridline --data "$dir/hub" hub serve --listen "127.0.0.1:$port" 2>"$dir/hub.log" &
hub_pid=$!
trap 'kill "$hub_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "hub serving" "$dir/hub.log" 2>/dev/null && break; sleep 0.1; done
for d in phone office; do gl --data "$dir/$d" device init >/dev/null; done
gl --data "$dir/phone" device enroll --hub "http://127.0.0.1:$port" --code "$phone_code" >/dev/null
gl --data "$dir/office" device enroll --hub "http://127.0.0.1:$port" --code "$office_code" >/dev/null
sync() { gl --data "$dir/$1" device sync | tail -1; }
sync phone; sync office
