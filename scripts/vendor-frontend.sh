#!/usr/bin/env bash
# Install the pinned front-end packages (package-lock.json) and copy the prebuilt files the platform serves into
# app/static/vendor/ (bpmn-js's UMD bundles and assets, ECharts' minified build), committed so that `make run` needs
# no Node. The CJK font for documents is subset separately: engine/documents/build_font.py.
set -euo pipefail

cd "$(dirname "$0")/.."
npm ci --ignore-scripts --no-audit --no-fund

src=node_modules/bpmn-js/dist
dest=app/static/vendor/bpmn-js
rm -rf "$dest"
mkdir -p "$dest"
cp "$src/bpmn-modeler.production.min.js" "$src/bpmn-navigated-viewer.production.min.js" "$dest/"
cp -r "$src/assets/diagram-js.css" "$src/assets/bpmn-js.css" "$src/assets/bpmn-font" "$dest/"
cp node_modules/bpmn-js/LICENSE "$dest/LICENSE" 2>/dev/null || true
version=$(node -p "require('./node_modules/bpmn-js/package.json').version")
printf 'bpmn-js %s\n' "$version" > "$dest/VERSION"
echo "vendored bpmn-js $version into $dest"

dest=app/static/vendor/echarts
rm -rf "$dest"
mkdir -p "$dest"
cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE "$dest/"
version=$(node -p "require('./node_modules/echarts/package.json').version")
echo "vendored echarts $version into $dest"
