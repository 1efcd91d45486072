#!/bin/sh
# install_check.sh BUILD_DIR — `cmake --install` into a temporary prefix: the command, both
# libraries (static and shared), both headers, the pkg-config files and the bundled model; the
# installed command finds that model with no $CHRONOLENS_MODEL, from another folder; and
# pkg-config names the libraries.
set -e
B=$1
P=$(mktemp -d "${TMPDIR:-/tmp}/clinst.XXXXXX")
trap 'rm -rf "$P"' EXIT
cmake --install "$B" --prefix "$P" > /dev/null
LIB=$(cd "$P" && ls -d lib* | head -1)
for f in bin/chronolens include/chronolens.h include/chronolens_study.h \
         $LIB/libchronolens.a $LIB/libchronolens.so $LIB/libchronolens_study.a $LIB/libchronolens_study.so \
         $LIB/pkgconfig/chronolens.pc $LIB/pkgconfig/chronolens_study.pc \
         share/chronolens/models/chronos-nano/config.json share/chronolens/models/chronos-nano/model.safetensors; do
    [ -e "$P/$f" ] || { echo "not installed: $f"; exit 1; }
done
out=$(cd / && env -u CHRONOLENS_MODEL "$P/bin/chronolens" info)
echo "$out" | grep -q "$P/bin/../share/chronolens/models/chronos-nano" || { echo "installed binary did not find its model:"; echo "$out"; exit 1; }
libs=$(PKG_CONFIG_PATH="$P/$LIB/pkgconfig" pkg-config --libs chronolens_study)
echo "$libs" | grep -q -- "-lchronolens_study" && echo "$libs" | grep -q -- "-lchronolens" || { echo "pkg-config: $libs"; exit 1; }
echo "installed into $P: command, libraries, headers, pkg-config, model"
