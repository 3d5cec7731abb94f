#!/usr/bin/env bash
# Reads `nhi check --format azure` back with Microsoft's npm package `azure-pipelines-task-lib`: the test
# tests/it/azure.rs parses the output of a hostile registry with its `commandFromString` and checks that its
# `logIssue` writes the very same lines. Needs node and npm (installed from Debian when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${AZURE_TASK_LIB_VERSION:-5.281.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
npm install --silent --no-audit --no-fund --prefix "$work" "azure-pipelines-task-lib@$VERSION" >/dev/null
NHI_AZURE_TASKLIB="$work/node_modules/azure-pipelines-task-lib" cargo test --locked --test it azure::
