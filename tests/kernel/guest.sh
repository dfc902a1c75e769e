#!/bin/sh
# /init of the modutils real-kernel test initramfs (see tests/kernel/run.sh).
#
# Runs under busybox sh inside QEMU, as PID 1. Every check prints exactly one
# line on the console:
#   MODTEST: PASS <name>
#   MODTEST: FAIL <name>: <what was expected>; got <what the tool did>
# and the run ends with
#   MODTEST: DONE <passed> passed, <failed> failed
# after which the guest powers off. The host side (run.sh) parses these lines.
#
# The tools under test are ALWAYS called by full path (/sbin/insmod, ...):
# busybox sh may otherwise run its own built-in applet of the same name.
# /sbin/insmod, /sbin/rmmod and /sbin/lsmod are symlinks to /sbin/modutils.
# Expected messages are kmod's exact wording.

# The mounts, the console and pass/fail/info/run/got/check_ok/check_err.
. /guest-lib.sh

MODDIR=/lib/modules/$(uname -r)/extra
A=$MODDIR/modtest_a.ko
B=$MODDIR/modtest_b.ko

# check_dmesg NAME TEXT: the kernel log contains TEXT.
check_dmesg() {
	if dmesg | grep -F -q -- "$2"; then
		pass "$1"
	else
		fail "$1" "kernel log lacks '$2'; last lines: '$(oneline "$(dmesg | tail -n 5)")'"
	fi
}

# check_file NAME PATH CONTENT: PATH holds exactly CONTENT.
check_file() {
	if [ ! -e "$2" ]; then
		fail "$1" "expected $2 to contain '$3'; it does not exist"
	elif [ "$(cat "$2")" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected $2 to contain '$3'; got '$(oneline "$(cat "$2")")'"
	fi
}

# The lsmod line kmod would print for module $1 with use count $2 and
# holders $3 (", "-less comma list, may be empty), size from /proc/modules.
lsmod_line() {
	size=$(awk -v m="$1" '$1 == m { print $2 }' /proc/modules)
	line=$(printf '%-19s %8s  %d' "$1" "$size" "$2")
	[ -n "$3" ] && line="$line $3"
	printf '%s' "$line"
}

loaded() {
	grep -q "^$1 " /proc/modules
}

# Unload our test modules with busybox's own rmmod, so that one failing
# check does not make all later ones fail too.
cleanup() {
	for m in modtest_b modtest_a; do
		loaded $m && /bin/busybox rmmod $m >/dev/null 2>&1
	done
}

info "kernel $(uname -r); modules in $MODDIR"
info "$(wc -c </sbin/modutils) bytes /sbin/modutils"

# --- insmod with parameters -------------------------------------------------
# The value with a space is quoted for the kernel's own parser: insmod joins
# its arguments with spaces and passes them on unchanged (kmod 30 does;
# with a bare 'label=hello world' the kernel sets label=hello and ignores
# an unknown parameter 'world').
dmesg -c >/dev/null
run /sbin/insmod "$A" count=7 'label="hello world"'
check_ok insmod_a
check_dmesg insmod_a_dmesg "modtest_a: init count=7 label=hello world"
check_file param_count /sys/module/modtest_a/parameters/count 7
check_file param_label /sys/module/modtest_a/parameters/label "hello world"

# --- lsmod --------------------------------------------------------------------
run /sbin/lsmod
first=$(printf '%s\n' "$OUT" | head -n 1)
if [ "$RC" = 0 ] && [ "$first" = "Module                  Size  Used by" ]; then
	pass lsmod_header
else
	fail lsmod_header "expected rc=0 and first line 'Module                  Size  Used by'; $(got)"
fi
want=$(lsmod_line modtest_a 0 "")
line=$(printf '%s\n' "$OUT" | grep '^modtest_a ')
if [ "$RC" = 0 ] && [ "$line" = "$want" ]; then
	pass lsmod_a_unused
else
	fail lsmod_a_unused "expected line '$want'; $(got)"
fi
lsmod_out=$OUT
run /sbin/modutils lsmod
if [ "$RC" = 0 ] && [ "$OUT" = "$lsmod_out" ] && [ -n "$OUT" ]; then
	pass multicall_direct
else
	fail multicall_direct "expected 'modutils lsmod' to print the same as lsmod; $(got)"
fi

# --- inserting twice ----------------------------------------------------------
run /sbin/insmod "$A"
check_err insmod_a_again_eexist 1 "insmod: ERROR: could not insert module $A: File exists"

# --- dependent module -------------------------------------------------------
dmesg -c >/dev/null
run /sbin/insmod "$B"
check_ok insmod_b
check_dmesg insmod_b_dmesg "modtest_b: init value=42"
run /sbin/lsmod
want=$(lsmod_line modtest_a 1 modtest_b)
line=$(printf '%s\n' "$OUT" | grep '^modtest_a ')
if [ "$RC" = 0 ] && [ "$line" = "$want" ]; then
	pass lsmod_a_used_by_b
else
	fail lsmod_a_used_by_b "expected line '$want'; $(got)"
fi

# --- rmmod ------------------------------------------------------------------
run /sbin/rmmod modtest_a
check_err rmmod_a_in_use 1 "rmmod: ERROR: Module modtest_a is in use by: modtest_b"
run /sbin/rmmod modtest_b
check_ok rmmod_b
dmesg -c >/dev/null
run /sbin/rmmod modtest_a
check_ok rmmod_a
check_dmesg rmmod_a_dmesg "modtest_a: exit"
if [ -e /sys/module/modtest_a ]; then
	fail rmmod_a_sysfs_gone "/sys/module/modtest_a still exists"
else
	pass rmmod_a_sysfs_gone
fi
run /sbin/rmmod modtest_a
check_err rmmod_a_not_loaded 1 "rmmod: ERROR: Module modtest_a is not currently loaded"
cleanup

# --- compressed modules (the kernel cannot decompress: the tool must) -----------
for ext in gz xz zst; do
	run /sbin/insmod "$A.$ext"
	if [ "$RC" = 0 ] && loaded modtest_a; then
		pass "insmod_$ext"
	else
		fail "insmod_$ext" "expected rc=0 and modtest_a in /proc/modules; $(got)"
	fi
	run /sbin/rmmod modtest_a
	if [ "$RC" = 0 ] && ! loaded modtest_a; then
		pass "rmmod_$ext"
	else
		fail "rmmod_$ext" "expected rc=0 and modtest_a gone from /proc/modules; $(got)"
	fi
	cleanup
done

# --- a parameter value with a space, not quoted for the kernel --------------------
# modutils quotes such a value itself (as busybox does), so the kernel gets
# label="hello world". This is where it deliberately differs from kmod 30,
# whose insmod passes it on bare: the kernel then sets label=hello.
run /sbin/insmod "$A" 'label=hello world'
label=$(cat /sys/module/modtest_a/parameters/label 2>/dev/null)
if [ "$RC" = 0 ] && [ "$label" = "hello world" ]; then
	pass param_label_unquoted
else
	fail param_label_unquoted "expected rc=0 and label 'hello world'; label='$label'; $(got)"
fi
cleanup

# --- bad input --------------------------------------------------------------
missing=$MODDIR/does_not_exist.ko
run /sbin/insmod "$missing"
# kmod: "insmod: ERROR: could not load module <path>: No such file or directory"
case $ERR in
*"$missing"*) named=yes ;;
*) named=no ;;
esac
if [ "$RC" = 1 ] && [ "$named" = yes ]; then
	pass insmod_missing
else
	fail insmod_missing "expected rc=1 and an error naming $missing; $(got)"
fi

garbage=/tmp/garbage.ko
cp /init "$garbage"
run /sbin/insmod "$garbage"
check_err insmod_garbage 1 "insmod: ERROR: could not insert module $garbage: Invalid module format"
cleanup

# --- real modules of the kernel package (run.sh --arch armhf) ------------------
# realmods.list names a chain of the distribution's own modules, dependencies
# first: NAME PATH HOLDERS (sorted, comma-separated, - for none). Each is
# loaded with insmod, lsmod must show every one with its use count and
# holders, the first one cannot be removed while used, and rmmod unloads
# them in reverse order.
REAL=/lib/modules/$(uname -r)/realmods.list
# sorted_holders LIST: a comma list sorted, as in realmods.list.
sorted_holders() {
	[ -n "$1" ] || { echo -; return; }
	echo "$1" | tr , '\n' | LC_ALL=C sort | paste -sd, -
}
if [ -f "$REAL" ]; then
	real_rev=
	while read -r name path holders; do
		run /sbin/insmod "/lib/modules/$(uname -r)/$path"
		check_ok "real_insmod_$name"
		real_rev="$name $real_rev"
	done <"$REAL"
	run /sbin/lsmod
	while read -r name path holders; do
		line=$(printf '%s\n' "$OUT" | grep "^$name ")
		info "lsmod: $line"
		want_n=0
		[ "$holders" = - ] || want_n=$(echo "$holders" | tr , '\n' | wc -l)
		size=$(awk -v m="$name" '$1 == m { print $2 }' /proc/modules)
		# "NAME SIZE COUNT [HOLDERS]" in kmod's columns; holders in any order.
		set -- $line
		want_line=$(printf '%-19s %8s  %d' "$name" "$size" "$want_n")
		got_line=$(printf '%-19s %8s  %d' "$1" "$2" "$3")
		if [ "$RC" = 0 ] && [ -n "$line" ] && [ "$(lsmod_line "$1" "$3" "$4")" = "$line" ] &&
			[ "$got_line" = "$want_line" ] && [ "$(sorted_holders "${4:-}")" = "$holders" ]; then
			pass "real_lsmod_$name"
		else
			fail "real_lsmod_$name" "expected '$want_line' used by '$holders'; line '$line'; $(got)"
		fi
	done <"$REAL"
	read -r first_name first_path first_holders <"$REAL"
	run /sbin/rmmod "$first_name"
	case $ERR in
	"rmmod: ERROR: Module $first_name is in use by: "*) in_use=yes ;;
	*) in_use=no ;;
	esac
	if [ "$first_holders" != - ] && [ "$RC" = 1 ] && [ "$in_use" = yes ] && [ -z "$OUT" ]; then
		pass "real_rmmod_${first_name}_in_use"
	else
		fail "real_rmmod_${first_name}_in_use" "expected rc=1 and 'rmmod: ERROR: Module $first_name is in use by: ...'; $(got)"
	fi
	for name in $real_rev; do
		run /sbin/rmmod "$name"
		check_ok "real_rmmod_$name"
	done
	left=
	for name in $real_rev; do
		loaded "$name" && left="$left $name"
	done
	if [ -z "$left" ]; then
		pass real_all_unloaded
	else
		fail real_all_unloaded "still in /proc/modules:$left"
	fi
fi

# --- modprobe (when run.sh packed its module tree and modprobe.d) ---------------
MP=/sbin/modprobe
if [ -x "$MP" ] && [ -f /etc/modprobe.d/modtest.conf ]; then
	cleanup
	# Parameters: configuration, then kernel command line, then command line.
	run $MP modtest_a
	check_ok mp_load_options
	check_file mp_option_from_config /sys/module/modtest_a/parameters/count 11
	check_file mp_cmdline_beats_config /sys/module/modtest_a/parameters/label from_cmdline
	run $MP -r modtest_a
	check_ok mp_remove
	run $MP modtest_a label=from_args
	check_file mp_args_beat_cmdline /sys/module/modtest_a/parameters/label from_args
	run $MP -r modtest_a
	# Dependencies, and -r refusing a module in use, then removing both.
	run $MP modtest_b
	if [ "$RC" = 0 ] && loaded modtest_a && loaded modtest_b; then pass mp_load_deps; else fail mp_load_deps "$(got)"; fi
	run $MP -r modtest_a
	check_err mp_remove_in_use 1 "modprobe: FATAL: Module modtest_a is in use."
	run $MP -r modtest_b
	if [ "$RC" = 0 ] && ! loaded modtest_b && ! loaded modtest_a; then
		pass mp_remove_with_deps
	else
		fail mp_remove_with_deps "$(got); loaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
	fi
	# Debian's ext4: its dependencies and its crypto-crc32c soft dependency.
	run $MP ext4
	missing=
	for m in ext4 jbd2 mbcache crc16; do loaded $m || missing="$missing $m"; done
	if [ "$RC" = 0 ] && [ -z "$missing" ]; then pass mp_ext4_deps; else fail mp_ext4_deps "missing:$missing; $(got)"; fi
	if loaded crc32c_generic || grep -q '^name *: crc32c' /proc/crypto; then
		pass mp_ext4_softdep
	else
		fail mp_ext4_softdep "no crc32c provider loaded"
	fi
	run $MP -r ext4
	left=
	for m in ext4 jbd2 mbcache crc16; do loaded $m && left="$left $m"; done
	if [ "$RC" = 0 ] && [ -z "$left" ]; then pass mp_ext4_remove; else fail mp_ext4_remove "left:$left; $(got)"; fi
	# blacklist: not through an alias, but by name.
	run $MP fs-bfs
	if [ "$RC" = 0 ] && ! loaded bfs; then pass mp_blacklist_alias; else fail mp_blacklist_alias "$(got)"; fi
	run $MP bfs
	if [ "$RC" = 0 ] && loaded bfs; then pass mp_blacklist_by_name; else fail mp_blacklist_by_name "$(got)"; fi
	$MP -r bfs >/dev/null 2>&1
	# Through its alias, then by name, in one run: the name loads it.
	run $MP -a fs-bfs bfs
	if [ "$RC" = 0 ] && loaded bfs; then pass mp_blacklist_alias_then_name; else fail mp_blacklist_alias_then_name "$(got)"; fi
	# install command, with $CMDLINE_OPTS.
	run $MP efs
	if [ "$RC" = 0 ] && loaded efs; then pass mp_install_command; else fail mp_install_command "$(got)"; fi
	check_file mp_install_cmdline_opts /tmp/install-efs "install efs "
	$MP -r efs >/dev/null 2>&1
	# Eight at once: every one succeeds (already loaded or EEXIST from a
	# race is success), and the module is there once.
	i=0
	while [ $i -lt 8 ]; do
		( $MP qnx4 >/tmp/mp$i.out 2>&1; echo $? >/tmp/mp$i.rc ) &
		i=$((i + 1))
	done
	wait
	bad=
	i=0
	while [ $i -lt 8 ]; do
		[ "$(cat /tmp/mp$i.rc)" = 0 ] && [ ! -s /tmp/mp$i.out ] || bad="$bad $i:$(cat /tmp/mp$i.rc):$(oneline "$(cat /tmp/mp$i.out)")"
		i=$((i + 1))
	done
	if [ -z "$bad" ] && [ "$(grep -c '^qnx4 ' /proc/modules)" = 1 ]; then
		pass mp_concurrent_8
	else
		fail mp_concurrent_8 "failed runs:$bad"
	fi
	# -r with several names removes each (bfs is still loaded from above).
	run $MP -r qnx4 bfs
	if [ "$RC" = 0 ] && ! loaded qnx4 && ! loaded bfs; then
		pass mp_remove_several
	else
		fail mp_remove_several "$(got); loaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
	fi
	# The kernel's own request_module("fs-minix") runs /sbin/modprobe.
	mkdir -p /mnt
	mount -t minix /dev/null /mnt >/dev/null 2>&1
	if loaded minix; then pass mp_request_module; else fail mp_request_module "minix not loaded by the kernel's request_module"; fi
	# Already loaded: success, nothing done.
	run $MP minix
	check_ok mp_already_loaded
	# Held by a user, not by another module: a mounted minix filesystem.
	run $MP loop
	check_ok mp_loop
	if mount -o loop -t minix /minix.img /mnt 2>/tmp/mount.err; then
		run /sbin/rmmod minix
		check_err fault_rmmod_mounted 1 "rmmod: ERROR: Module minix is in use"
		run $MP -r minix
		check_err fault_modprobe_r_mounted 1 "modprobe: FATAL: Module minix is in use."
		umount /mnt
		run /sbin/rmmod minix
		check_ok fault_rmmod_after_umount
	else
		fail fault_rmmod_mounted "mount -o loop -t minix failed: $(oneline "$(cat /tmp/mount.err)")"
	fi
	run $MP no_such_module_x
	check_err mp_not_found 1 "modprobe: FATAL: Module no_such_module_x not found in directory /lib/modules/$(uname -r)"
	run $MP -q no_such_module_x
	if [ "$RC" = 1 ] && [ -z "$OUT$ERR" ]; then pass mp_quiet; else fail mp_quiet "$(got)"; fi
fi

# --- faults ---------------------------------------------------------------------
# A module whose init fails: a clear error, and nothing left behind.
cleanup
run /sbin/insmod "$A" fail_init=1
check_err fault_init_fails 1 "insmod: ERROR: could not insert module $A: No such device"
if ! loaded modtest_a && [ ! -d /sys/module/modtest_a ]; then
	pass fault_init_no_half_state
else
	fail fault_init_no_half_state "modtest_a left in /proc/modules or /sys/module"
fi
check_dmesg fault_init_dmesg "modtest_a: init failing as asked"
# The module loads normally afterwards.
run /sbin/insmod "$A"
check_ok fault_init_then_load
cleanup

# With "modutils_demo" on the kernel command line, show the tools at work:
# each command and what it printed, for a person to read (scripts/demo.sh).
show() {
	echo "MODTEST: SHOW # $*"
	"$@" 2>&1 | sed 's/^/MODTEST: SHOW /'
}
if grep -qw modutils_demo /proc/cmdline; then
	show uname -r
	show /sbin/insmod "$A" count=3 'label=set in the demo'
	show /sbin/insmod "$B"
	show /sbin/lsmod
	show cat /sys/module/modtest_a/parameters/label
	show /sbin/rmmod modtest_a
	show /sbin/rmmod modtest_b modtest_a
	show /sbin/insmod "$MODDIR/modtest_a.ko.zst" count=9
	show /sbin/lsmod
	show /sbin/rmmod modtest_a
	if [ -x /sbin/modprobe ]; then
		show /sbin/modprobe -v modtest_b
		show /sbin/lsmod
		show /sbin/modprobe -r -v modtest_b
		show /sbin/modinfo -F depends ext4
	fi
	dmesg | grep modtest_ | tail -n 8 | sed 's/^/MODTEST: SHOW dmesg: /'
fi

# Last, as it cannot be undone before a reboot: module loading switched
# off in the kernel gives a message that says so.
echo 1 >/proc/sys/kernel/modules_disabled
run /sbin/insmod "$A"
check_err fault_modules_disabled 1 "insmod: ERROR: could not insert module $A: Operation not permitted (module loading is disabled: /proc/sys/kernel/modules_disabled is 1)"

echo "MODTEST: DONE $PASSED passed, $FAILED failed"
sync
poweroff -f
# Should poweroff fail, leaving /init makes the kernel panic; with panic=-1
# and -no-reboot, QEMU then exits.
sleep 5
exit 1
