# scripts/services.d/jaeger/ui.sh — the Jaeger UI (sourced by scripts/services).
#
# Jaeger's Go module carries no built UI, and its release files cannot be downloaded here; the
# UI's source (a `git archive` of jaegertracing/jaeger-ui) is kept beside the repository. It is
# built once with npm (registry only) into $CACHE/jaeger-ui/<archive checksum>/, and Jaeger's
# query extension serves that folder (extensions.jaeger_query.ui.assets_path).
#
# SLUICE_JAEGER_UI_ARCHIVE  the archive (default: ../shared/vendor/ beside the repository, then
#                           /work/shared/vendor/); set it to "none" to run Jaeger without the UI.

JAEGER_UI_VERSION=v1.74.0
JAEGER_UI_FILE="jaeger-ui-$JAEGER_UI_VERSION.tar.gz"

# The archive's path, or nothing when there is none.
jaeger_ui_archive() {
  local c
  if [[ -n ${SLUICE_JAEGER_UI_ARCHIVE:-} ]]; then
    [[ $SLUICE_JAEGER_UI_ARCHIVE != none && -f $SLUICE_JAEGER_UI_ARCHIVE ]] && echo "$SLUICE_JAEGER_UI_ARCHIVE"
    return 0
  fi
  # A clone elsewhere on the machine (CI) has no ../shared beside it: fall back to /work/shared.
  for c in "$SCRIPT_DIR/../../shared/vendor/$JAEGER_UI_FILE" "/work/shared/vendor/$JAEGER_UI_FILE"; do
    if [[ -f $c ]]; then
      (cd "$(dirname "$c")" && echo "$PWD/$JAEGER_UI_FILE")
      return 0
    fi
  done
}

# The cached build for the archive's contents (its folder may not exist yet).
jaeger_ui_dir() { echo "$CACHE/jaeger-ui/$(sha "$1")"; }

# The folder Jaeger should serve, when a built UI is cached for the current archive.
jaeger_ui_assets() {
  local a d
  a=$(jaeger_ui_archive) && [[ -n $a ]] || return 1
  d=$(jaeger_ui_dir "$a")
  [[ -f $d/index.html && -f $d/.built ]] || return 1
  echo "$d"
}

# Why there is no UI, for `up` and `status`.
jaeger_ui_missing_reason() {
  local a
  if [[ ${SLUICE_JAEGER_UI_ARCHIVE:-} == none ]]; then
    echo "SLUICE_JAEGER_UI_ARCHIVE=none"; return
  fi
  a=$(jaeger_ui_archive)
  if [[ -z $a ]]; then
    echo "no UI source archive (${SLUICE_JAEGER_UI_ARCHIVE:-../shared/vendor/$JAEGER_UI_FILE or /work/shared/vendor/$JAEGER_UI_FILE}; set SLUICE_JAEGER_UI_ARCHIVE)"
  else
    echo "the UI build from $a failed or has not run (see <run>/provision/jaeger.log)"
  fi
}

# Removes a source tree (~1 GB of node_modules, a minute or two to delete) in the background,
# so Jaeger starts meanwhile.
jaeger_ui_discard() {
  local gone="$1.gone.$$"
  mv "$1" "$gone" && { setsid rm -rf "$gone" </dev/null >/dev/null 2>&1 9>&- & }
}

# Build the UI once per archive checksum. Never fatal: without a UI Jaeger still serves its API.
ensure_jaeger_ui() {
  local a d src t0
  a=$(jaeger_ui_archive)
  [[ -n $a ]] || return 0   # jaeger_start says why there is no UI
  d=$(jaeger_ui_dir "$a")
  [[ -f $d/index.html && -f $d/.built ]] && return 0
  if ! command -v npm >/dev/null; then
    log "jaeger: npm is not installed, so the UI cannot be built; Jaeger runs without it"; return 0
  fi
  log "jaeger: building the Jaeger UI $JAEGER_UI_VERSION from $a into $d (first time: several minutes)"
  t0=$(now)
  src="$CACHE/jaeger-ui/src.tmp"
  rm -rf "$src" "$src".gone.* "$d.tmp"
  mkdir -p "$src"
  # The archive's lock file does not satisfy `npm ci` with this npm: `npm install` it is, with
  # the dev dependencies (the build tools) even when the caller has NODE_ENV=production.
  # HUSKY=0: no git hooks (the extracted tree is no git checkout).
  if tar -xzf "$a" -C "$src" &&
    (cd "$src" && unset NODE_ENV && export HUSKY=0 &&
      npm install --include=dev --no-audit --no-fund --loglevel=error && npm run build) &&
    [[ -f $src/packages/jaeger-ui/build/index.html ]]; then
    mv "$src/packages/jaeger-ui/build" "$d.tmp"
    echo "$JAEGER_UI_VERSION $(date -u +%FT%TZ) $(($(now) - t0))s" >"$d.tmp/.built"
    rm -rf "$d"
    mv "$d.tmp" "$d"
    log "jaeger: built the UI in $(($(now) - t0))s ($(du -sh "$d" | cut -f1)) into $d"
    jaeger_ui_discard "$src"
  else
    jaeger_ui_discard "$src"
    rm -rf "$d.tmp"
    log "jaeger: WARNING the UI build failed after $(($(now) - t0))s; Jaeger runs without the UI (next \`up\` retries)"
  fi
  return 0
}
