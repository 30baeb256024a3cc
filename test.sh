#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine and prints one last line "N passed, N failed, N skipped".
# Installs what the tests need when it is missing: Debian's chromium (browser tests), a CJK font (legible
# screenshots) and PostgreSQL. Starts a private PostgreSQL cluster on a free loopback port (trust auth, 127.0.0.1
# only, removed afterwards) and runs the suite on SQLite, then the integration tests where the database matters
# (onboarding exactly-once, keep-alive, rights, schema, jobs) again on PostgreSQL. Exits non-zero when any test
# fails or an assembly does not finish.
set -uo pipefail
cd "$(dirname "$0")"

install_packages() {
  local packages=("$@")
  [ ${#packages[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "test.sh: installing ${packages[*]}"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
}

if ! command -v chromium >/dev/null 2>&1; then
  install_packages chromium || { echo "test.sh: could not install chromium (needed by tests/Portal.E2E.Tests)"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi
if ! fc-list 2>/dev/null | grep -qiE "wenquanyi|noto sans cjk"; then
  install_packages fonts-wqy-zenhei || echo "test.sh: no CJK font installed; screenshots will show boxes for Chinese text"
fi

# shellcheck source=scripts/pg-cluster.sh
source scripts/pg-cluster.sh
rm -f artifacts/security/push-fuzzer.txt
log="$(mktemp)"
trap 'pg_cluster_stop; rm -f "$log"' EXIT
pg_cluster_start || { echo "test.sh: could not start PostgreSQL (needed by the PostgreSQL pass)"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
dotnet test Portal.sln --blame-hang-timeout 10m "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The PostgreSQL pass: every host of these classes gets its own database on the private cluster (TestDatabase).
# (The first pass already ran the PostgreSQL-only tests: DatabaseProviderTests, MultiInstanceTests.)
PORTAL_TEST_PROVIDER=PostgreSql dotnet test tests/Portal.Web.Tests --no-build --blame-hang-timeout 10m \
  --filter "FullyQualifiedName~OnboardingFlowTests|FullyQualifiedName~InviteLinkTests|FullyQualifiedName~KeyRingProtectionTests|FullyQualifiedName~AuthorizationAttemptTests|FullyQualifiedName~KeepAliveTests|FullyQualifiedName~TokenApiCacheTests|FullyQualifiedName~RightsTests|FullyQualifiedName~ComponentEventTests|FullyQualifiedName~GroupCommitTests|FullyQualifiedName~SchemaTests|FullyQualifiedName~LargeListTests" \
  "$@" 2>&1 | sed -u 's/^\(Passed!\|Failed!\)/\1 (PostgreSQL)/' | tee -a "$log"
pg_status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && status=$pg_status

# dotnet test closes each assembly with "Passed!  - Failed: 0, Passed: 5, Skipped: 0, Total: 5, ..." (or "Failed!").
read -r passed failed skipped assemblies < <(
  grep -E '^(Passed|Failed)! +(\(PostgreSQL\) +)?- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" |
    sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/' |
    awk '{f+=$1; p+=$2; s+=$3; n++} END {printf "%d %d %d %d\n", p, f, s, n}'
)
# One summary per test assembly, plus the PostgreSQL pass.
expected=$(( $(grep -c '<IsTestProject>true</IsTestProject>' tests/*/*.csproj | awk -F: '{s+=$2} END {print s}') + 1 ))
if [ "$status" -eq 0 ] && [ "$assemblies" -lt "$expected" ]; then
  echo "test.sh: only $assemblies of $expected test assemblies reported a summary"
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
# The push fuzzer's figures (tests/Portal.Web.Tests/PushFuzzerTests.cs), ahead of the summary line.
[ -f artifacts/security/push-fuzzer.txt ] && head -n 2 artifacts/security/push-fuzzer.txt
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
