#!/bin/bash
# Build a small fake module for the depmod cases (run from a case's setup):
#   mkmod.sh OUT.ko NAME [-x EXPORT]... [-i IMPORT]... [-w WEAKIMPORT]...
#            [-r RECORD]... [-v CRC:SYMBOL]... [-k SYMBOL:CRC]... [-c CC]
# EXPORT goes into __ksymtab_strings, IMPORT is an undefined symbol the
# module calls, RECORD a .modinfo "key=value" (alias=..., softdep=...),
# -v an entry of __versions (the CRC the module expects for SYMBOL), -k an
# export with a CRC (a __crc_SYMBOL symbol pointing into __kcrctab).
# The object is a plain "cc -c" relocatable, like the fixtures in
# tests/integration/modules (whose modtest.h it uses).
set -eu
out=$1 name=$2
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
inc=$here/../../../modules
cc=${CC:-cc}
src=$(mktemp --suffix=.c)
trap 'rm -f "$src"' EXIT
{
	echo '#include "modtest.h"'
	body=
	recs=
	while [ $# -gt 0 ]; do
		case $1 in
		-x) echo "int $2(void) { return 1; }"; echo "MODTEST_EXPORT($2);" ;;
		-i) echo "extern int $2(void);"; body="$body + $2()" ;;
		-w) echo "extern int $2(void) __attribute__((weak));"; body="$body + ($2 ? $2() : 0)" ;;
		-r) recs="$recs\"$2\\0\" " ;;
		-k) echo "int ${2%%:*}(void) { return 2; }"; echo "MODTEST_EXPORT(${2%%:*});"
		    echo "const unsigned int __crc_${2%%:*} __attribute__((section(\"__kcrctab\"), used)) = ${2#*:};" ;;
		-v) vers="${vers:-}{ ${2%%:*}, \"${2#*:}\" }, " ;;
		-c) cc=$2 ;;
		*) echo "mkmod.sh: bad argument $1" >&2; exit 2 ;;
		esac
		shift 2
	done
	if [ -n "${vers:-}" ]; then
		echo "static const struct { unsigned long crc; char name[64 - sizeof(long)]; }"
		echo "  versions[] __attribute__((section(\"__versions\"), used)) = { $vers };"
	fi
	echo "int init_module(void) { return 0 $body; }"
	echo "MODTEST_THIS_MODULE(\"$name\");"
	echo "MODTEST_MODINFO(\"license=GPL\\0\" $recs \"name=$name\\0\" MODTEST_VERMAGIC);"
} >"$src"
mkdir -p "$(dirname "$out")"
$cc -c -O2 -fno-ident -fno-asynchronous-unwind-tables -fno-stack-protector -fno-pic \
	-I"$inc" -o "$out" "$src"
