#!/usr/bin/env bash
# agentbox container init.
#
# Sourced:   `. container-init.sh; start_litellm` runs the step inside another init.
# Executed:  `container-init.sh [CMD...]` runs the steps, then execs CMD; without CMD it serves:
#            follows the gateway log and, on SIGTERM/SIGINT, stops the gateway gracefully.
#
# Environment:
#   AGENTBOX_USER           the user the gateway runs as when this runs as root (default: abox)
#   AGENTBOX_CONFIG         the config file (default: ~/.config/agentbox/config.yml of that user)
#   AGENTBOX_BIN            the agentbox command (default: the one beside this script, else PATH)
#   AGENTBOX_START_TIMEOUT  seconds start_litellm waits for the gateway (default: 8)

_agentbox_dir() {
  local here
  here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P) || return 1
  printf '%s\n' "$(dirname -- "$here")"
}

_agentbox_log() {
  printf '%s agentbox container-init: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

# The agentbox command, as an array in AGENTBOX_CMD (node + script, or a command on PATH).
_agentbox_cmd() {
  local dir
  dir=$(_agentbox_dir) || dir=""
  if [ -n "${AGENTBOX_BIN:-}" ]; then
    AGENTBOX_CMD=("$AGENTBOX_BIN")
  elif [ -n "$dir" ] && [ -f "$dir/bin/agentbox.js" ]; then
    AGENTBOX_CMD=(node "$dir/bin/agentbox.js")
  elif command -v agentbox >/dev/null 2>&1; then
    AGENTBOX_CMD=(agentbox)
  else
    return 1
  fi
}

# How to run a command as the gateway's user, as an array in AGENTBOX_AS_USER (empty: as ourselves).
_agentbox_as_user() {
  AGENTBOX_AS_USER=()
  [ "$(id -u)" = 0 ] || return 0
  local user home
  user=${AGENTBOX_USER:-abox}
  if ! id -u "$user" >/dev/null 2>&1; then
    _agentbox_log "litellm: user '$user' does not exist (set AGENTBOX_USER); gateway not started"
    return 1
  fi
  [ "$(id -u "$user")" != 0 ] || return 0
  home=$(getent passwd "$user" | cut -d: -f6)
  if command -v runuser >/dev/null 2>&1; then
    AGENTBOX_AS_USER=(runuser -u "$user" -- env HOME="${home:-/}")
  else
    AGENTBOX_AS_USER=(setpriv --reuid="$user" --regid="$user" --init-groups -- env HOME="${home:-/}")
  fi
}

# Starts the gateway daemon when the config has `litellm.enabled: true`; one log line either way.
# Never waits longer than AGENTBOX_START_TIMEOUT seconds (the daemon keeps starting in the background).
start_litellm() {
  local dir out rc wait_s
  if ! _agentbox_cmd; then
    _agentbox_log "litellm: agentbox not found; gateway not started"
    return 1
  fi
  _agentbox_as_user || return 1
  dir=$(_agentbox_dir) || dir=""

  if [ -n "$dir" ] && [ -f "$dir/container/litellm-enabled.mjs" ]; then
    # `if` keeps a failing check from ending an init that runs under `set -e`.
    if out=$("${AGENTBOX_AS_USER[@]}" node "$dir/container/litellm-enabled.mjs" 2>&1); then rc=0; else rc=$?; fi
    case $rc in
      0) ;;
      1)
        _agentbox_log "litellm: ${out:-disabled} (litellm.enabled: false); gateway not started"
        return 0
        ;;
      *)
        _agentbox_log "litellm: ${out:-cannot read the config}; gateway not started"
        return 1
        ;;
    esac
  fi

  wait_s=${AGENTBOX_START_TIMEOUT:-8}
  if out=$(timeout "$wait_s" "${AGENTBOX_AS_USER[@]}" "${AGENTBOX_CMD[@]}" litellm start </dev/null 2>&1); then
    rc=0
  else
    rc=$?
  fi
  case $rc in
    0) _agentbox_log "litellm: $(printf '%s\n' "$out" | grep -m1 'agentbox gateway' || printf 'started')" ;;
    124) _agentbox_log "litellm: not ready after ${wait_s}s; still starting in the background (agentbox litellm logs)" ;;
    *) _agentbox_log "litellm: failed to start (exit $rc): $(printf '%s' "$out" | tr '\n' ' ')" ;;
  esac
  [ "$rc" = 0 ] || [ "$rc" = 124 ]
}

# Without a command: follow the gateway log until SIGTERM/SIGINT, then stop the gateway gracefully.
_agentbox_serve() {
  "${AGENTBOX_AS_USER[@]}" "${AGENTBOX_CMD[@]}" litellm logs -f -n 20 &
  _agentbox_follower=$!
  wait "$_agentbox_follower"
}

_agentbox_shutdown() {
  _agentbox_log "litellm: stopping the gateway"
  "${AGENTBOX_AS_USER[@]}" "${AGENTBOX_CMD[@]}" litellm stop >/dev/null 2>&1 || true
  [ -z "$1" ] || kill "$1" 2>/dev/null || true
  exit 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Serving (no command): a SIGTERM from the moment the init starts stops the gateway gracefully,
  # even one that arrives while the gateway is still starting.
  [ $# -gt 0 ] || trap '_agentbox_shutdown "${_agentbox_follower:-}"' TERM INT
  start_litellm || true
  if [ $# -gt 0 ]; then
    exec "$@"
  fi
  _agentbox_cmd && _agentbox_as_user && _agentbox_serve
fi
