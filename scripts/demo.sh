#!/usr/bin/env bash
# The README's first command: a local sandbox MongoDB with demo data, and rollbook on it.
# Safe to rerun; the sandbox keeps running afterwards (stop it with the command printed last).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/install-mongod.sh
cargo build --release --locked --quiet
rollbook=target/release/rollbook

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "start a single-node replica set on 127.0.0.1"
export ROLLBOOK_URI="$($rollbook sandbox up)"
echo "$ROLLBOOK_URI"

step "seed demo data for the three runbooks"
$rollbook sandbox seed --scale "${DEMO_SCALE:-20000}"

step "validate the shipped runbooks"
$rollbook validate

step "the runbooks and their steps"
$rollbook list

step "what rolling back step 23 (billing) means"
$rollbook show steps-19-30 23

step "roll back steps 19-23 (snapshots first; small steps run in one transaction)"
$rollbook rollback steps-19-30 --steps 19-23 --yes

step "verify the rollback holds"
$rollbook verify steps-19-30 --steps 19-23 --direction rollback

step "per-step state"
$rollbook status steps-19-30

step "re-apply 19-23: forward puts the snapshotted values back exactly"
$rollbook apply steps-19-30 --steps 19-23 --yes

step "the audit trail"
$rollbook history --runbook steps-19-30 --limit 12

step "done"
echo "sandbox: $ROLLBOOK_URI" >&2
echo "stop it with: $rollbook sandbox down" >&2
