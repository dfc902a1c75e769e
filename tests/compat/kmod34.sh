#!/bin/bash
# Fetch kmod 34.2 and BusyBox 1.37 as Debian 13 ("trixie") packages them, with
# a private apt state (the machine's own apt setup is not touched), and make
# wrappers that run them with their own loader and libraries:
#   bash tests/compat/kmod34.sh DIR
# gives DIR/bin/{kmod,modprobe,depmod,modinfo,insmod,rmmod,lsmod} (kmod 34.2)
# and DIR/bin/busybox (1.37). Safe to run again: a complete DIR is kept.
set -eu
dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ -x "$dir/bin/modprobe" ] && [ -x "$dir/bin/busybox" ] && exit 0
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/root" "$dir/bin"
echo "deb http://deb.debian.org/debian trixie main" >"$dir/apt/sources.list"
apt=(-o Dir::Etc::SourceList="$dir/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists="$dir/apt/lists" -o Dir::Cache="$dir/apt/cache"
	-o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
# apt-get update exits 100 when one list fails although the others came.
apt-get -q "${apt[@]}" update >"$dir/apt/update.log" 2>&1 || echo "kmod34: apt-get update exited $? (tolerated)" >&2
(cd "$dir/apt/cache" && apt-get -q "${apt[@]}" download kmod libkmod2 libc6 liblzma5 libzstd1 libssl3t64 zlib1g \
	busybox-static >"$dir/apt/download.log" 2>&1) || { cat "$dir/apt/download.log" >&2; echo "kmod34: download failed" >&2; exit 1; }
for deb in "$dir"/apt/cache/*.deb; do
	dpkg -x "$deb" "$dir/root"
done
# One wrapper; each applet is a link to it, and runs as the name it is called by.
cat >"$dir/bin/kmod" <<W
#!/bin/sh
exec "$dir/root/usr/lib64/ld-linux-x86-64.so.2" --library-path "$dir/root/usr/lib/x86_64-linux-gnu" \\
	--argv0 "\${0##*/}" "$dir/root/usr/bin/kmod" "\$@"
W
chmod +x "$dir/bin/kmod"
for a in modprobe depmod modinfo insmod rmmod lsmod; do
	ln -sf kmod "$dir/bin/$a"
done
ln -sf "$dir/root/usr/bin/busybox" "$dir/bin/busybox"
"$dir/bin/kmod" --version | grep -q 'kmod version 34' || { echo "kmod34: kmod 34 does not run" >&2; exit 1; }
