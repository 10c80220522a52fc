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

step "dry-run: what rolling back steps 19-23 would change (writes nothing), saved as a plan"
plan_file="$(mktemp -d)/rollback-19-23.json"
ROLLBOOK_OPERATOR=demo-oncall $rollbook plan steps-19-30 --direction rollback --steps 19-23 --out "$plan_file"

step "steps 21 (user linking) and 23 (billing) need a second person's approval of exactly this plan"
ROLLBOOK_OPERATOR=demo-lead $rollbook approve --plan "$plan_file" --reason "demo: finance agreed" --ticket DEMO-1 --yes

step "roll back exactly the approved plan (snapshots first; small steps in one transaction)"
ROLLBOOK_OPERATOR=demo-oncall $rollbook rollback --plan "$plan_file" --yes

step "verify the rollback holds"
$rollbook verify steps-19-30 --steps 19-23 --direction rollback

step "per-step state"
$rollbook status steps-19-30

step "the incident report of the rollback"
$rollbook report --last --runbook steps-19-30

step "done"
echo "sandbox: $ROLLBOOK_URI" >&2
echo "re-apply what was rolled back: $rollbook plan steps-19-30 --direction forward --steps 19-23 --out fwd.json, approve it, then $rollbook apply --plan fwd.json" >&2
echo "stop it with: $rollbook sandbox down" >&2
