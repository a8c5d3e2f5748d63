#!/usr/bin/env bash
#
# The whole test suite, as CI runs it (.ci/run execs this).  Installs the
# missing Debian packages, then runs three build trees:
#
#   1. build/       gcc, --werror; every meson test suite.
#   2. build-asan/  gcc with AddressSanitizer + UBSan; the unit and fuzz
#                   (seed-corpus) suites, any sanitizer report fatal.
#   3. build-fuzz/  clang with -Dfuzzing=true (libFuzzer, ASan, UBSan); each
#                   fuzz target runs for HEARTH_FUZZ_SECONDS (default 20)
#                   starting from its seed corpus.
#
# A failing step does not stop the later ones, so one run reports every
# problem.  The last line is "tests: N passed, N failed, N skipped", counted
# from meson's testlog.json of runs 1 and 2 plus one test per libFuzzer run
# (a build step that fails counts as one failed test); the exit status is
# non-zero when anything failed.  It does not install hearth, and it leaves
# the source tree untouched: fuzzer discoveries go to build-fuzz/.

set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

# shellcheck source=tools/deps.sh
. tools/deps.sh
hearth_deps_install "${HEARTH_DEPS_TEST[@]}"

fuzz_seconds=${HEARTH_FUZZ_SECONDS:-20}

# Debian's interpreter, which has the modules we rely on; a pyenv python3
# earlier on PATH may not.
python=/usr/bin/python3

# Sanitizer settings shared by the ASan tree and the libFuzzer runs.  Every
# report stops the process so the test fails, instead of scrolling past.
asan_options="halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:print_summary=1"
ubsan_options="print_stacktrace=1:halt_on_error=1:abort_on_error=1:print_summary=1"
symbolizer=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)

passed=0
failed=0
skipped=0
failures=()

step() {
  printf '\n==> %s\n' "$*"
}

fail() {
  failed=$((failed + 1))
  failures+=("$1")
  echo "test: FAILED: $1" >&2
}

# setup DIR MESON-OPTION...: configure DIR, or reconfigure it with the given
# options when it was configured before (keeps incremental rebuilds fast).
setup() {
  local dir=$1
  shift
  if [[ -f "$dir/build.ninja" ]]; then
    meson setup --reconfigure "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

# count DIR WHAT MESON-STATUS: add DIR's testlog.json to the totals.  A
# non-zero meson status with no failed test in the log (meson itself broke,
# or no test matched) still counts as a failure.
count() {
  local dir=$1 what=$2 status=$3
  local log="$dir/meson-logs/testlog.json"
  local p=0 f=0 s=0

  if [[ -s "$log" ]]; then
    read -r p f s < <("$python" -c '
import json, sys
ok = bad = skip = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        line = line.strip()
        if not line:
            continue
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif result == "SKIP":
            skip += 1
        else:
            bad += 1
print(ok, bad, skip)
' "$log") || true
  fi
  p=${p:-0} f=${f:-0} s=${s:-0}

  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
  echo "test: $what: $p passed, $f failed, $s skipped"

  if ((f > 0)); then
    failures+=("$what: $f test(s)")
  elif ((status != 0)); then
    fail "$what: meson test exited with status $status"
  elif ((p + s == 0)); then
    fail "$what: no tests ran"
  fi
}

# ---------------------------------------------------------------------------
step "1/3: -Werror build, all test suites (build/)"
rm -f build/meson-logs/testlog.json
if setup build --werror -Dtests=true && ninja -C build; then
  status=0
  meson test -C build --no-rebuild --print-errorlogs || status=$?
  count build "all suites (-Werror build)" "$status"
else
  fail "build/: -Werror build"
fi

# ---------------------------------------------------------------------------
step "2/3: ASan+UBSan build, unit, fuzz-corpus and behaviour suites (build-asan/)"
rm -f build-asan/meson-logs/testlog.json
if setup build-asan -Dtests=true -Db_sanitize=address,undefined -Db_lundef=false &&
  ninja -C build-asan; then
  status=0
  # G_SLICE: GLib 2.74 still has its own slice allocator, which hides
  # use-after-free from ASan unless told to use malloc.
  env ASAN_OPTIONS="$asan_options" UBSAN_OPTIONS="$ubsan_options" \
    ${symbolizer:+ASAN_SYMBOLIZER_PATH="$symbolizer"} \
    G_SLICE=always-malloc G_DEBUG=gc-friendly \
    meson test -C build-asan --no-rebuild --print-errorlogs \
    --suite unit --suite fuzz --suite behaviour --timeout-multiplier 3 || status=$?
  count build-asan "unit+fuzz+behaviour suites (ASan/UBSan)" "$status"
else
  fail "build-asan/: sanitizer build"
fi

# ---------------------------------------------------------------------------
step "3/3: libFuzzer targets, ${fuzz_seconds}s each (build-fuzz/)"
# The compiler of a meson tree is fixed at its first setup; a tree someone
# configured with gcc cannot link libFuzzer, so start it again.
if [[ -f build-fuzz/build.ninja ]] &&
  ! meson introspect --compilers build-fuzz 2>/dev/null | grep -q '"id": "clang"'; then
  rm -rf build-fuzz
fi
if CC=clang setup build-fuzz -Dfuzzing=true -Dtests=true \
  -Db_sanitize=address,undefined -Db_lundef=false &&
  ninja -C build-fuzz; then
  mapfile -t targets < <(find build-fuzz/tests/fuzz -maxdepth 1 -type f \
    -name 'fuzz-*' -perm -u+x 2>/dev/null | sort)
  if ((${#targets[@]} == 0)); then
    fail "build-fuzz/: -Dfuzzing=true built no fuzz targets (tests/fuzz/fuzz-*)"
  fi
  mkdir -p build-fuzz/fuzz-artifacts build-fuzz/fuzz-logs
  for target in "${targets[@]}"; do
    name=${target##*/}
    input=${name#fuzz-}

    # Seed corpus: tests/fuzz/corpus/<input>/ (or .../<name>/).  It is
    # passed second so libFuzzer writes what it finds into the scratch
    # directory, not into the source tree.
    seeds=()
    for dir in "tests/fuzz/corpus/$input" "tests/fuzz/corpus/$name"; do
      if [[ -d "$dir" ]]; then
        seeds+=("$dir")
      fi
    done
    if ((${#seeds[@]} == 0)); then
      echo "test: $name: no seed corpus in tests/fuzz/corpus/$input/, starting empty" >&2
    fi
    extra=()
    for dict in "tests/fuzz/$input.dict" "tests/fuzz/$name.dict"; do
      if [[ -f "$dict" ]]; then
        extra+=("-dict=$dict")
      fi
    done

    scratch="build-fuzz/fuzz-work/$name"
    rm -rf "$scratch"
    mkdir -p "$scratch"
    log="build-fuzz/fuzz-logs/$name.log"

    status=0
    # timeout(1) is the backstop should the fuzzer ignore its own limit.
    timeout --kill-after=10 $((fuzz_seconds + 120)) \
      env ASAN_OPTIONS="$asan_options" UBSAN_OPTIONS="$ubsan_options" \
      ${symbolizer:+ASAN_SYMBOLIZER_PATH="$symbolizer"} \
      G_SLICE=always-malloc \
      "$target" -max_total_time="$fuzz_seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/fuzz-artifacts/$name-" \
      "${extra[@]}" "$scratch" "${seeds[@]}" >"$log" 2>&1 || status=$?
    if ((status == 0)); then
      passed=$((passed + 1))
      echo "test: $name: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?') runs)"
    else
      tail -n 60 "$log" >&2 || true
      fail "$name: libFuzzer exited with status $status (log: $log)"
    fi
  done
else
  fail "build-fuzz/: clang -Dfuzzing=true build"
fi

# ---------------------------------------------------------------------------
echo
if ((${#failures[@]} > 0)); then
  echo "test: failures:"
  printf '  %s\n' "${failures[@]}"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
if ((failed > 0)); then
  exit 1
fi
