# Shared by scripts/start and scripts/test: install what is missing, then build.
# Sourced, not run.  Everything here is idempotent and quick when done already.

# apt_ensure CMD PACKAGE...: installs PACKAGEs when CMD is not on the machine.
apt_ensure() {
  local cmd=$1; shift
  if command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ]; then return 0; fi
  echo "afs-cellfs: installing $* (apt)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# node_modules_ensure: npm ci when node_modules does not match package-lock.json.
node_modules_ensure() {
  apt_ensure node nodejs npm
  local want stamp=node_modules/.afs-cellfs-lock.sha256
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  echo "afs-cellfs: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
}

# build: compile src/ to dist/ (fast enough to do every time).
build() {
  npx tsc -p tsconfig.build.json
}
