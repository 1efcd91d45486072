#!/bin/sh
# check_layers.sh ROOT — fails (and names the lines) when a file below src/, include/ or
# bench/ includes a file of tools/: data flows down, the command-line tools are the top
# layer (the design's "Layers"). Run by ctest as layers_no_tools_includes.
root=${1:-.}
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*/)?tools/' \
      "$root/src" "$root/include" "$root/bench" 2>/dev/null)
n=$(find "$root/src" -name '*.[ch]' | wc -l)
if [ "$n" -lt 10 ]; then echo "check_layers: no sources under $root/src"; exit 1; fi
if [ -n "$bad" ]; then echo "files below tools/ included from a lower layer:"; echo "$bad"; exit 1; fi
echo "checked $n files under src/: none includes tools/"
