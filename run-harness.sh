#!/usr/bin/env bash
# One entry point for the harness. Verbs:
#   serve (default)  build and start the reference backend with demo data, and the provider sandbox
#   sandbox          build and start only the provider sandbox
#   test             run every test project; closing line "N passed, N failed"
#   conformance      run the Gherkin features against a backend by URL
#   load             run load scenarios against the built-in backend or a URL
#   chaos            the reliability campaign: fuzz, auth matrix, crash rounds
#   mutation         mutation testing (Stryker.NET): how much behaviour the features and unit tests pin down
#   help             this list
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
CONFIGURATION="${HARNESS_CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

usage() {
  cat <<'USAGE'
Usage: ./run-harness.sh [verb] [options]

  serve [--port N] [--data DIR] [--sandbox-port N | --no-sandbox] [--test-clock] [--test-restart] [--no-build]
      Build and start the reference backend: each surface an app on its own port (Finance on
      --port, default 8005; New-API on the next port, Portaly on the one after), data in ./data; and the
      provider sandbox (control + pay pages on 8100, Stripe 8101, Creem 8102, Epay 8103, WeChat Pay 8104, Alipay 8105, TapPay 8106).
      Seeds demo data on first start and prints URLs, credentials and a ready curl.
      --test-clock offers POST /api/test/clock/advance, which moves the backend's time (conformance
      runs by URL, docs/conformance.md; off by default).
      --test-restart offers POST /control/restart on the sandbox, which restarts it on its data and
      ports (the "state survives a restart" scenario by URL; off by default).
      Environment: HARNESS_PORT, HARNESS_DATA, HARNESS_SANDBOX_PORT. Ctrl-C stops it.

  sandbox [--sandbox-port N] [--data DIR]
      Only the provider sandbox, for a backend of your own (docs/sandbox.md).

  test [--tags @TAG] [--filter QUERY]
      Build and run every test project (unit, integration, process, features, load smoke).
      Installs what the tests need first (Chromium, Node.js and npm via apt-get). Prints "N passed, N failed".
      --tags @idempotency    only feature scenarios with that tag; other options go to the test runner

  conformance --target URL --profile FILE [--sandbox URL] [--tags EXPR] | --init [FILE]
      Run the Gherkin features against any implementation (and provider features against a
      sandbox's control URL); reports in artifacts/conformance/. --init writes a profile template.

  load [--target URL | --sandbox URL] [--scenario NAME] [--rate R | --concurrency C] [--duration D] [--warmup W]
      Load the coin-consumption hot path and audit the ledger afterwards, or the provider sandbox's
      APIs and webhook delivery (sandbox scenarios, delivery audit); reports in artifacts/load/.

  chaos [--target URL] [--seed N] [--cases N] [--crash-rounds N] [--short]
      The reliability campaign: malformed input against every documented operation, the auth
      matrix, SIGKILL rounds during consumption; reports in artifacts/chaos/.

  mutation [finance|ledger|all]
      Mutation testing with Stryker.NET (a dotnet tool, restored from dotnet-tools.json): the Finance
      capability code mutated under the conformance suite, the ledger under its unit tests. Takes
      about 20 minutes each on two cores; not part of "test". HTML and JSON reports in
      artifacts/mutation/<part>/; figures and the judged survivors in docs/conformance.md.

  help
      Show this text.
USAGE
}

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK (10.0) is required: https://dotnet.microsoft.com/download" >&2
    exit 1
  fi
}

# build [project]: the whole solution by default, or just what one verb runs.
build() {
  need_dotnet
  dotnet build "${1:-$ROOT/Harness.sln}" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly -v:quiet
}

# Browser tests drive Debian's Chromium; install it when missing (CI machines start without it).
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Installing Chromium for the browser tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install chromium; browser tests will fail" >&2
  else
    echo "warning: /usr/bin/chromium is missing and cannot be installed here (need root and apt-get)" >&2
  fi
}

# The official npm SDKs (creem, wechatpay-node-v3, alipay-sdk, tappay-nodejs) run against the sandbox under Node; install it when missing.
ensure_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then return; fi
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Installing Node.js for the SDK tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) \
      || echo "warning: could not install Node.js; the npm SDK tests will fail" >&2
  else
    echo "warning: node and npm are missing and cannot be installed here (need root and apt-get)" >&2
  fi
}

serve() {
  local no_build=0 args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --no-build) no_build=1 ;;
      *) args+=("$1") ;;
    esac
    shift
  done
  if [ "$no_build" = 0 ]; then build "$ROOT/src/Harness.Host/Harness.Host.csproj"; fi
  exec dotnet "$ROOT/src/Harness.Host/bin/$CONFIGURATION/net10.0/Harness.Host.dll" "${args[@]}"
}

run_tests() {
  local filter_args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --tags) shift; filter_args+=(--filter-trait "tag=${1#@}") ;;
      --filter) shift; filter_args+=(--filter-query "$1") ;;
      *) filter_args+=("$1") ;;
    esac
    shift
  done
  # A filter leaves some test projects with nothing to run (exit code 8); that is not a failure.
  if [ ${#filter_args[@]} -gt 0 ]; then filter_args+=(--ignore-exit-code 8); fi
  ensure_chromium
  ensure_node
  build
  mkdir -p "$ROOT/artifacts"
  local log="$ROOT/artifacts/test-output.log" status=0
  dotnet test --solution "$ROOT/Harness.sln" -c "$CONFIGURATION" --no-build --no-progress \
    "${filter_args[@]}" 2>&1 | tee "$log" || status=$?
  # A failed test's message can be long (a child process's whole output); repeat each failure's first lines at the
  # end, where a CI log's tail shows them, and for a scenario the lines after its failed step (the reason, the exchange).
  awk '
    /^[[:space:]]*failed / && !/failed with/ { left = 12; print ""; }
    left > 0 { print substr($0, 1, 300); left--; if ($0 ~ /Step failed: /) left = 8 }' "$log"
  # Closing line: totals over every test project, from the runner's own summary.
  awk '
    /^[[:space:]]*total:/     { total += $2 }
    /^[[:space:]]*failed:/    { failed += $2 }
    /^[[:space:]]*succeeded:/ { passed += $2 }
    END { printf "%d passed, %d failed\n", passed, failed }' "$log"
  return "$status"
}

# mutation [finance|ledger|all]: Stryker.NET over each part with the test project that judges it.
mutation() {
  need_dotnet
  local part="${1:-all}"
  case "$part" in finance|ledger|all) ;; *) echo "mutation: expected finance, ledger or all, got '$part'" >&2; exit 2 ;; esac
  dotnet tool restore >/dev/null
  local status=0
  if [ "$part" != ledger ]; then
    mutate_with finance "$ROOT/tests/Harness.Conformance.Tests" || status=$?
  fi
  if [ "$part" != finance ]; then
    mutate_with ledger "$ROOT/tests/Harness.Ledger.Tests" || status=$?
  fi
  return "$status"
}

mutate_with() {
  local name="$1" tests="$2" out="$ROOT/artifacts/mutation/$1"
  rm -rf "$out"
  echo "Mutation testing: $name (config mutation/$name.json, tests $(basename "$tests"))"
  (cd "$tests" && dotnet dotnet-stryker -f "$ROOT/mutation/$name.json" -O "$out" --skip-version-check)
  echo "Report: $out/reports/mutation-report.html"
}

verb="${1:-serve}"
[ $# -gt 0 ] && shift
case "$verb" in
  serve) serve "$@" ;;
  sandbox) serve --sandbox-only "$@" ;;
  test) run_tests "$@" ;;
  conformance) build; exec dotnet "$ROOT/src/Harness.Conformance/bin/$CONFIGURATION/net10.0/Harness.Conformance.dll" conformance "$@" ;;
  load) build; exec dotnet "$ROOT/load/Harness.Load/bin/$CONFIGURATION/net10.0/Harness.Load.dll" "$@" ;;
  chaos) build; exec dotnet "$ROOT/src/Harness.Chaos/bin/$CONFIGURATION/net10.0/Harness.Chaos.dll" "$@" ;;
  mutation) mutation "$@" ;;
  help|-h|--help) usage ;;
  --*) serve "$verb" "$@" ;;
  *) echo "unknown verb '$verb'" >&2; usage >&2; exit 2 ;;
esac
