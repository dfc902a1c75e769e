#!/bin/bash
# Make the modinfo fixtures in OUTDIR (build/ is the place: they are not
# committed). Usage: tests/compat/make-fixtures.sh OUTDIR
#
# OUTDIR/modules/     valid module files of every ELF class and byte order:
#   cc-TARGET.ko        tests/compat/fixtures/modinfo_test.c compiled with "cc -c"
#                       by each compiler that is installed: x86_64 (gcc), arm
#                       (arm-linux-gnueabihf-gcc: ELF32 LE), powerpc
#                       (powerpc-linux-gnu-gcc: ELF32 BE), s390x
#                       (s390x-linux-gnu-gcc: ELF64 BE); also mips, powerpc64
#                       and aarch64 when those compilers are there
#   gen-*.ko            written byte by byte by fixtures/mkfixtures.py (ELF32/64,
#                       LE/BE; odd but valid .modinfo contents)
#   *.ko.gz/.xz/.zst    compressed copies (xz with crc32/crc64/sha256/no check,
#                       several xz streams, several zstd frames), and files whose
#                       suffix does not match their contents
# OUTDIR/signed/      cc-x86_64.ko signed with the kernel's own sign-file (from
#                     Debian's linux-kbuild-6.1, unpacked, not installed) and a
#                     throwaway openssl key: RSA with sha1/sha224/sha256/sha384/
#                     sha512, ECDSA P-256; compressed signed copies; and the
#                     legacy pre-PKCS#7 form (id_type X509, signer, key id,
#                     RSA signature as an MPI) built by mkfixtures.py around a
#                     real RSA signature that openssl makes with the same key
# OUTDIR/malformed/   broken files: truncated at every section boundary,
#                     offsets past the end, unterminated .modinfo, zero-size
#                     sections, bad headers, bad signature trailers, bad
#                     compressed data; OUTDIR/malformed/kmod-results.txt records
#                     what kmod's modinfo did with each (exit status, stdout
#                     lines, stderr)
#
# Compare them with: tests/compat/modinfo-compare.sh BINARY OUTDIR/modules OUTDIR/signed OUTDIR/malformed
# (in "malformed", ours may also answer with one "modinfo: ERROR: ..." line and exit 1).
#
# Debian packages this needs (also in tests/compat/packages.txt):
#   python3 openssl gcc gzip xz-utils zstd kmod apt dpkg libssl3
#   gcc-arm-linux-gnueabihf gcc-powerpc-linux-gnu gcc-s390x-linux-gnu
#     (each optional: a missing cross compiler is reported and skipped; the
#      generated gen-*.ko cover every class and byte order regardless)
# linux-kbuild-6.1 is fetched with apt-get download into build/compat-trees/kbuild
# (or taken from build/kernel-cache, where tests/kernel/run.sh unpacks it).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${MODUTILS_COMPAT_TREES:-$repo/build/compat-trees}

die() { echo "make-fixtures: ERROR: $*" >&2; exit 1; }
note() { echo "make-fixtures: $*" >&2; }

[ $# -eq 1 ] && [ "${1#-}" = "$1" ] || { sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
out=$1
for c in python3 openssl gcc gzip xz zstd; do
	command -v "$c" >/dev/null || die "$c not found (see the package list at the top of $0)"
done
kmod=
for k in /sbin/modinfo /usr/sbin/modinfo; do [ -x "$k" ] && { kmod=$k; break; }; done
[ -n "$kmod" ] || die "kmod's modinfo not found (Debian package kmod)"

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/modules" "$out/signed" "$out/malformed" "$out/.work"
mkdir -p "$out/modules" "$out/signed" "$out/malformed" "$out/.work"
work=$out/.work
gen=$here/fixtures/mkfixtures.py
src=$here/fixtures/modinfo_test.c

# ---------------------------------------------------------------- compiled modules
# target:compiler:vermagic
targets="x86_64:gcc:6.1.0-0-amd64 SMP preempt mod_unload modversions 
arm:arm-linux-gnueabihf-gcc:6.1.0-0-armmp SMP mod_unload ARMv7 p2v8 
powerpc:powerpc-linux-gnu-gcc:6.1.0-0-powerpc mod_unload 
s390x:s390x-linux-gnu-gcc:6.1.0-0-s390x SMP mod_unload modversions 
mips:mips-linux-gnu-gcc:6.1.0-0-4kc-malta mod_unload MIPS32_R2 32BIT 
powerpc64:powerpc64-linux-gnu-gcc:6.1.0-0-powerpc64 SMP mod_unload modversions 
aarch64:aarch64-linux-gnu-gcc:6.1.0-0-arm64 SMP mod_unload modversions aarch64"
while IFS=: read -r target cc vermagic; do
	if ! command -v "$cc" >/dev/null; then
		case $target in
		x86_64 | arm | powerpc | s390x) note "WARNING: $cc not installed: no cc-$target.ko (gen-*.ko still cover its ELF class)" ;;
		esac
		continue
	fi
	# -fno-toplevel-reorder keeps the .modinfo records in source order.
	"$cc" -c -O2 -fno-toplevel-reorder -fno-pic -Wall -Wextra -Werror \
		-DVERMAGIC="\"$vermagic\"" "$src" -o "$out/modules/cc-$target.ko" ||
		die "$cc could not compile $src"
done <<<"$targets"
[ -f "$out/modules/cc-x86_64.ko" ] || die "gcc produced no cc-x86_64.ko"

python3 "$gen" elf "$out/modules" >/dev/null

# valid compressed copies, and suffixes that do not match the contents
m=$out/modules
base=$m/cc-x86_64.ko
gzip -n -9 -c "$base" >"$m/cc-x86_64.ko.gz"
xz --check=crc32 --lzma2=dict=1MiB -c "$base" >"$m/cc-x86_64.ko.xz"
xz --check=crc64 -c "$base" >"$m/cc-x86_64-check-crc64.ko.xz"
xz --check=sha256 -c "$base" >"$m/cc-x86_64-check-sha256.ko.xz"
xz --check=none -c "$base" >"$m/cc-x86_64-check-none.ko.xz"
zstd -q -c "$base" >"$m/cc-x86_64.ko.zst"
zstd -q --no-check -19 -c "$base" >"$m/cc-x86_64-no-check.ko.zst"
for f in "$m"/cc-arm.ko "$m"/cc-s390x.ko "$m"/gen-elf32be-ppc.ko; do
	[ -f "$f" ] && xz --check=crc32 -c "$f" >"$f.xz" && zstd -q -c "$f" >"$f.zst"
done
half=$(($(stat -c %s "$base") / 2))
head -c "$half" "$base" | xz -c >"$work/a.xz"
tail -c +"$((half + 1))" "$base" | xz -c >"$work/b.xz"
cat "$work/a.xz" "$work/b.xz" >"$m/cc-x86_64-two-streams.ko.xz"
head -c "$half" "$base" | zstd -q -c >"$work/a.zst"
tail -c +"$((half + 1))" "$base" | zstd -q -c >"$work/b.zst"
cat "$work/a.zst" "$work/b.zst" >"$m/cc-x86_64-two-frames.ko.zst"
cp "$base" "$m/plain-elf-named.ko.xz"
cp "$base" "$m/plain-elf-named.ko.zst"
cp "$m/cc-x86_64.ko.xz" "$m/xz-data-named-plain.ko"
cp "$m/cc-x86_64.ko.zst" "$m/zst-data-named.ko.xz"

# ---------------------------------------------------------------- signed modules
runs() { # runs SIGN-FILE: it is a host binary and prints its usage
	local usage
	usage=$("$1" 2>&1 || true)
	case $usage in *Usage*sign-file*) return 0 ;; *) return 1 ;; esac
}
find_sign_file() {
	local f deb
	# (build/kernel-cache may also hold an armhf kbuild: only a host binary runs)
	for f in "$repo"/build/kernel-cache/*-amd64/root/usr/lib/linux-kbuild-6.1/scripts/sign-file \
		"$cache"/kbuild/usr/lib/linux-kbuild-6.1/scripts/sign-file; do
		[ -x "$f" ] && runs "$f" && { echo "$f"; return 0; }
	done
	mkdir -p "$cache/debs" "$cache/kbuild"
	deb=$(compgen -G "$cache/debs/linux-kbuild-6.1_*.deb" | sort -V | tail -n 1 || true)
	if [ -z "$deb" ]; then
		note "apt-get download linux-kbuild-6.1"
		(cd "$cache/debs" && apt-get download -q -o APT::Sandbox::User=root linux-kbuild-6.1) >&2 ||
			return 1
		deb=$(compgen -G "$cache/debs/linux-kbuild-6.1_*.deb" | sort -V | tail -n 1)
	fi
	dpkg -x "$deb" "$cache/kbuild" || return 1
	f=$cache/kbuild/usr/lib/linux-kbuild-6.1/scripts/sign-file
	[ -x "$f" ] && echo "$f"
}
sign_file=$(find_sign_file) || die "no sign-file: could not get linux-kbuild-6.1"
runs "$sign_file" || die "$sign_file does not run (needs libssl3's libcrypto.so.3)"

s=$out/signed
subj="/O=modutils tests/CN=modutils fixture signing key"
openssl req -new -x509 -newkey rsa:2048 -nodes -utf8 -sha256 -days 36500 -batch \
	-subj "$subj" -addext "subjectKeyIdentifier=hash" \
	-keyout "$s/rsa.key" -out "$s/rsa.pem" 2>"$work/openssl.log" ||
	{ cat "$work/openssl.log" >&2; die "openssl req (RSA) failed"; }
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -utf8 -sha256 \
	-days 36500 -batch -subj "/O=modutils tests/CN=modutils fixture ECDSA key" \
	-keyout "$s/ec.key" -out "$s/ec.pem" 2>"$work/openssl.log" ||
	{ cat "$work/openssl.log" >&2; die "openssl req (EC) failed"; }
for h in sha1 sha224 sha256 sha384 sha512; do
	if ! "$sign_file" "$h" "$s/rsa.key" "$s/rsa.pem" "$base" "$s/rsa-$h.ko" 2>"$work/sign-$h.log"; then
		note "WARNING: sign-file $h failed: $(head -n 3 "$work/sign-$h.log" | tr '\n' ' ')"
	fi
done
"$sign_file" sha256 "$s/ec.key" "$s/ec.pem" "$base" "$s/ecdsa-sha256.ko" 2>"$work/sign-ec.log" ||
	note "WARNING: sign-file with the ECDSA key failed: $(head -n 3 "$work/sign-ec.log" | tr '\n' ' ')"
[ -f "$s/rsa-sha256.ko" ] && [ -f "$s/rsa-sha512.ko" ] || die "sign-file could not make the sha256/sha512 signatures"
for f in arm s390x; do
	[ -f "$m/cc-$f.ko" ] && "$sign_file" sha256 "$s/rsa.key" "$s/rsa.pem" "$m/cc-$f.ko" "$s/rsa-sha256-cc-$f.ko"
done
xz --check=crc32 -c "$s/rsa-sha256.ko" >"$s/rsa-sha256.ko.xz"
zstd -q -c "$s/rsa-sha512.ko" >"$s/rsa-sha512.ko.zst"
# The legacy form: signer "O: CN" (as the old sign-file made it from the
# certificate), the certificate's subject key identifier as the key id, and
# openssl's PKCS#1 v1.5 RSA signature of the module.
keyid=$(openssl x509 -in "$s/rsa.pem" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :')
[ -n "$keyid" ] || die "no subject key identifier in $s/rsa.pem"
for h in sha256 sha512; do
	openssl dgst -"$h" -sign "$s/rsa.key" -out "$work/legacy-$h.sig" "$base"
	python3 "$gen" legacy-sign "$base" "$s/legacy-x509-$h.ko" \
		"modutils tests: modutils fixture signing key" "$keyid" "$work/legacy-$h.sig" "$h"
done
openssl x509 -in "$s/rsa.pem" -noout -serial -fingerprint -sha1 >"$s/rsa-cert.txt"

# ---------------------------------------------------------------- malformed files
b=$out/malformed
bases=("$base" "$m/gen-elf32be-ppc.ko")
[ -f "$m/cc-arm.ko" ] && bases+=("$m/cc-arm.ko")
python3 "$gen" malformed "$b" "${bases[@]}" >/dev/null
size=$(stat -c %s "$base")
for kind in gz xz zst; do
	f=$m/cc-x86_64.ko.$kind
	n=$(stat -c %s "$f")
	head -c $((n / 2)) "$f" >"$b/trunc-half.ko.$kind"
	head -c $((n - 1)) "$f" >"$b/trunc-last-byte.ko.$kind"
	: >"$b/empty.ko.$kind"
	# one byte flipped in the middle of the compressed data
	python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[len(d)//2]^=0x55; open(sys.argv[2],"wb").write(d)' \
		"$f" "$b/flipped-byte.ko.$kind"
	printf 'not a kernel module, just text\n' | case $kind in
		gz) gzip -n -c ;; xz) xz -c ;; zst) zstd -q -c ;;
	esac >"$b/not-elf-inside.ko.$kind"
	# the first bytes of a valid module, compressed: the ELF is cut short
	head -c $((size / 3)) "$base" | case $kind in
		gz) gzip -n -c ;; xz) xz -c ;; zst) zstd -q -c ;;
	esac >"$b/elf-cut-inside.ko.$kind"
done
printf '\xfd7zXZ\x00' >"$b/magic-only.ko.xz"
printf '\x28\xb5\x2f\xfd' >"$b/magic-only.ko.zst"
printf '\x1f\x8b' >"$b/magic-only.ko.gz"
# gzip trailer with a wrong CRC32
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-8]^=0xff; open(sys.argv[2],"wb").write(d)' \
	"$m/cc-x86_64.ko.gz" "$b/bad-crc.ko.gz"
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-5]^=0xff; open(sys.argv[2],"wb").write(d)' \
	"$m/cc-x86_64.ko.zst" "$b/bad-checksum.ko.zst"
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-20]^=0xff; open(sys.argv[2],"wb").write(d)' \
	"$m/cc-x86_64.ko.xz" "$b/bad-index.ko.xz"
: >"$b/MALFORMED"

# ---------------------------------------------------------------- kmod's answers
rec=$b/kmod-results.txt
{
	echo "# What kmod's modinfo ($("$kmod" --version | head -n 1)) does with each malformed file:"
	echo "# FILE<TAB>exit N<TAB>stdout: N lines<TAB>stderr (newlines as \\n)"
	cd "$b"
	for f in *; do
		case $f in kmod-results.txt | MALFORMED) continue ;; esac
		rc=0
		# (in a subshell: kmod 30 aborts on some files, and bash would
		# report that on our stderr)
		(LC_ALL=C "$kmod" "./$f" >"$work/o" 2>"$work/e" </dev/null; exit $?) 2>/dev/null || rc=$?
		printf '%s\texit %d\tstdout: %d lines\t%s\n' "$f" "$rc" "$(wc -l <"$work/o")" \
			"$(sed 's/$/\\n/' "$work/e" | tr -d '\n')"
	done
}>"$rec"
rm -rf "$work"

count() { find "$1" -type f ! -name '*.txt' ! -name MALFORMED ! -name '*.key' ! -name '*.pem' | wc -l; }
echo "make-fixtures: $(count "$out/modules") in $out/modules, $(count "$out/signed") in $out/signed," \
	"$(count "$out/malformed") in $out/malformed (kmod's answers: $rec)"
echo "make-fixtures: sign-file: $sign_file"
