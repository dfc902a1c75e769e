#!/bin/sh
# Bring an existing .config up to date with configs/defconfig without a
# Kconfig tool: a symbol the .config does not mention yet (a new applet or
# feature) gets its default line; every choice already made is kept.
# usage: merge-config.sh DEFCONFIG CONFIG
set -eu
def=$1 cfg=$2
tmp=$cfg.tmp.$$
cp "$cfg" "$tmp"
sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p; s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$def" |
while read -r sym; do
	if ! grep -q "^$sym=\|^# $sym is not set$" "$cfg"; then
		grep "^$sym=\|^# $sym is not set$" "$def" >> "$tmp"
	fi
done
mv "$tmp" "$cfg"
