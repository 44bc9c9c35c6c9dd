#!/usr/bin/env bash
# Re-fetch the vendored front-end files under static/vendor/ from the npm registry (no build step: prebuilt dist files).
#
#   bash scripts/vendor.sh
#
# Trix (MIT, 37signals/Basecamp): the rich-text editor of the application form's "formatted text" questions
# (static/js/rich-text.js). Pinned: to upgrade, change TRIX_VERSION, run this, check the e2e tests
# tests/e2e/test_rich_text.py and tests/e2e/test_csp.py, and update the paths in templates/grants/includes/rich_text_assets.html.
# The source map is kept because production's manifest storage follows the sourceMappingURL comment.
set -euo pipefail
TRIX_VERSION=2.1.19
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "trix@${TRIX_VERSION}" >/dev/null && tar xzf "trix-${TRIX_VERSION}.tgz")
dest="$here/static/vendor/trix-${TRIX_VERSION}"
mkdir -p "$dest"
cp "$work/package/LICENSE" "$work/package/dist/trix.umd.min.js" "$work/package/dist/trix.umd.min.js.map" \
   "$work/package/dist/trix.css" "$dest/"
echo "Trix ${TRIX_VERSION} copied to ${dest#"$here"/}"
