#!/bin/sh
# /init of the Debian 13 real-kernel test initramfs (see tests/kernel/trixie.sh).
#
# Runs under busybox sh inside QEMU, as PID 1. Every check prints one line:
#   MODTEST: PASS <name>
#   MODTEST: FAIL <name>: <what was expected>; got <what happened>
# and the run ends with "MODTEST: DONE <passed> passed, <failed> failed".
# The tools under test are called by full path (/sbin/modprobe, ...); kmod
# 34.2 is /k34/bin/{modprobe,insmod,...} (its own loader and libraries).
# Expectations come from kmod 34.2: run here beside ours (same commands,
# same kernel, compared), or written by its depmod on the host (/expect).

# The mounts, the console and pass/fail/info/run/got/check_ok/check_err.
. /guest-lib.sh
RUN_TIMEOUT=60

V=$(uname -r)
KD=/lib/modules/$V
now() { cut -d' ' -f1 /proc/uptime; }
T0=$(now)
section() { info "[$(awk -v a="$T0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')s] $*"; }

loaded() { [ -d "/sys/module/$1" ] && grep -q "^$1 " /proc/modules; }
modset() { cut -d' ' -f1 /proc/modules | LC_ALL=C sort; }

# reset: unload (busybox's rmmod) every module not loaded at the start,
# users first, until none is left or nothing more can go.
reset() {
	i=0
	while [ $i -lt 20 ]; do
		extra=$(modset | grep -vxF -f /tmp/base.mods)
		[ -n "$extra" ] || return 0
		for m in $extra; do /bin/busybox rmmod "$m" >/dev/null 2>&1; done
		i=$((i + 1))
	done
	info "reset: could not unload: $(echo $extra)"
}

: >/tmp/base.mods
modset >/tmp/base.mods
info "kernel $V; $(find $KD/kernel -name '*.ko.xz' | wc -l) .ko.xz modules in $KD; $(wc -c </sbin/modutils) bytes /sbin/modutils"
info "loaded at start: $(echo $(cat /tmp/base.mods))"
info "cmdline: $(cat /proc/cmdline)"
[ -f /sys/module/compression ] && info "/sys/module/compression: $(cat /sys/module/compression)"

# ============================================================== insmod .ko.xz
section "insmod of .ko.xz through finit_module"
TR=/sys/kernel/tracing
mount -t tracefs tracefs $TR 2>/dev/null
tracing=0
if echo 1 >$TR/events/syscalls/sys_enter_finit_module/enable &&
	echo 1 >$TR/events/syscalls/sys_enter_init_module/enable; then
	tracing=1
	: >$TR/trace
else
	fail insmod_xz_trace "cannot enable the syscall trace events in $TR"
fi
DUMMY=$KD/kernel/drivers/net/dummy.ko.xz
run /sbin/insmod $DUMMY numdummies=2
check_ok insmod_xz
if [ "$tracing" = 1 ]; then
	echo 0 >$TR/events/syscalls/sys_enter_finit_module/enable
	echo 0 >$TR/events/syscalls/sys_enter_init_module/enable
	calls=$(grep -E 'sys_(f?init_module)\(' $TR/trace)
	info "trace: $(oneline "$calls")"
	# MODULE_INIT_COMPRESSED_FILE is 4: the kernel decompresses the file.
	if [ "$(printf '%s\n' "$calls" | grep -c 'sys_finit_module(.*flags: \(0x\)\{0,1\}0*4)')" = 1 ] &&
		[ "$(printf '%s\n' "$calls" | grep -c .)" = 1 ]; then
		pass insmod_xz_finit_compressed
	else
		fail insmod_xz_finit_compressed "expected one finit_module(flags 0x4) and no init_module; trace '$(oneline "$calls")'"
	fi
	: >$TR/trace
fi
if loaded dummy && [ -e /sys/class/net/dummy1 ] && [ ! -e /sys/class/net/dummy2 ]; then
	pass insmod_xz_param
else
	fail insmod_xz_param "expected dummy loaded with dummy0, dummy1 and no dummy2; net: $(ls /sys/class/net | tr '\n' ' ')"
fi
# The same commands with kmod 34.2 and with ours: exit code and messages.
kmod_vs_ours() { # NAME TOOL ARGS...: both give the same rc, stdout and stderr
	name=$1 tool=$2
	shift 2
	run /k34/bin/$tool "$@"
	k_rc=$RC k_out=$OUT k_err=$ERR
	run /sbin/$tool "$@"
	if [ "$RC" = "$k_rc" ] && [ "$OUT" = "$k_out" ] && [ "$ERR" = "$k_err" ]; then
		pass "$name"
	else
		fail "$name" "kmod 34.2: rc=$k_rc stdout='$(oneline "$k_out")' stderr='$(oneline "$k_err")'; ours: $(got)"
	fi
}
kmod_vs_ours insmod_xz_eexist insmod $DUMMY
run /sbin/rmmod dummy
check_ok rmmod_dummy
loaded dummy && fail rmmod_dummy_gone "dummy still loaded" || pass rmmod_dummy_gone
# ext4 without jbd2 and mbcache: unknown symbols.
kmod_vs_ours insmod_xz_unknown_symbol insmod $KD/kernel/fs/ext4/ext4.ko.xz
kmod_vs_ours insmod_xz_missing insmod $KD/kernel/fs/no_such.ko.xz
reset

# ============================================================== modprobe vs kmod 34.2
# scenario NAME CMD...: run each command (a shell line using $MP) with
# kmod 34.2's modprobe, then, from the same start, with ours; after each
# command the exit code, what it printed and the loaded modules must be
# the same. A command written "~CMD" is one where README lists an intended
# difference in what is printed: only the loaded modules are compared.
scenario() {
	sname=$1
	shift
	for impl in kmod ours; do
		reset
		if [ $impl = kmod ]; then MP=/k34/bin/modprobe; else MP=/sbin/modprobe; fi
		n=0
		for cmd in "$@"; do
			n=$((n + 1))
			eval "timeout 60 ${cmd#\~}" >/tmp/sc.out 2>/tmp/sc.err </dev/null
			rc=$?
			modset | grep -vxF -f /tmp/base.mods | tr '\n' ' ' >/tmp/sc.$impl.$n.mods
			{
				echo "rc=$rc"
				echo "stdout:"; cat /tmp/sc.out
				echo "stderr:"; cat /tmp/sc.err
				echo "loaded:"; cat /tmp/sc.$impl.$n.mods; echo
			} >/tmp/sc.$impl.$n
		done
	done
	n=0
	for cmd in "$@"; do
		n=$((n + 1))
		what=
		case $cmd in "~"*) what=.mods ;; esac
		if cmp -s /tmp/sc.kmod.$n$what /tmp/sc.ours.$n$what; then
			pass "mp_${sname}_$n"
			info "mp_${sname}_$n: $cmd: $(oneline "$(cat /tmp/sc.ours.$n)")"
			[ -z "$what" ] || info "mp_${sname}_$n: kmod 34.2 (output differs on purpose, see README): $(oneline "$(cat /tmp/sc.kmod.$n)")"
		else
			fail "mp_${sname}_$n" "'$cmd': kmod 34.2: '$(oneline "$(cat /tmp/sc.kmod.$n)")'; ours: '$(oneline "$(cat /tmp/sc.ours.$n)")'"
		fi
	done
}
section "modprobe with dependencies and soft dependencies, and -r, against kmod 34.2"
# btrfs: xor, raid6_pq, libcrc32c; soft: blake2b-256, sha256, xxhash64, crypto-crc32c.
scenario btrfs '$MP btrfs' '$MP -r btrfs'
# What ours loaded for 'modprobe btrfs': the module and its dependencies.
missing=
for m in btrfs xor raid6_pq libcrc32c; do
	grep -qw "$m" /tmp/sc.ours.1.mods || missing="$missing $m"
done
[ -z "$missing" ] && pass mp_btrfs_deps || fail mp_btrfs_deps "missing after modprobe btrfs:$missing; loaded: $(cat /tmp/sc.ours.1.mods)"
loaded btrfs && fail mp_btrfs_removed "btrfs still loaded after modprobe -r btrfs" || pass mp_btrfs_removed
scenario ext4 '$MP -v ext4' '$MP -r -v ext4'
scenario alias '$MP -v fs-vfat' '$MP -r vfat' '$MP -a -v fs-minix fs-dummy-none' '$MP -r -a minix fat'
scenario in_use '$MP ext4' '$MP -r jbd2' '~$MP -r --remove-holders jbd2'
scenario dry_run '$MP -n -v btrfs' '$MP -D ext4' '$MP -n -r -v nvme'
reset

# ============================================================== coldplug
# As Buildroot's S10mdev: every modalias under /sys through modprobe -a -b -q,
# again until a pass loads nothing new and no new device shows up.
section "coldplug (modprobe -a -b -q over every /sys/devices/**/modalias)"
coldplug() { # MODPROBE: sets pass_n and cp_out
	pass_n=0 cp_out= prev=
	while [ $pass_n -lt 10 ]; do
		find /sys/devices -name modalias -type f -print0 | xargs -0 cat 2>/dev/null | LC_ALL=C sort -u >/tmp/aliases
		state="$(cat /tmp/aliases) $(modset)"
		if [ "$state" = "$prev" ]; then
			# Nothing new: once more after a while (a slow USB enumeration).
			sleep 2
			find /sys/devices -name modalias -type f -print0 | xargs -0 cat 2>/dev/null | LC_ALL=C sort -u >/tmp/aliases
			state="$(cat /tmp/aliases) $(modset)"
			[ "$state" != "$prev" ] || break
		fi
		prev=$state
		pass_n=$((pass_n + 1))
		tr '\n' '\0' </tmp/aliases | xargs -0 timeout 120 "$1" -a -b -q >/tmp/cp.out 2>&1
		cp_out="$cp_out$(cat /tmp/cp.out)"
		# Devices the new drivers found (USB, HDA codecs, SCSI disks) show up.
		sleep 2
	done
}
coldplug /sbin/modprobe
section "coldplug done: $pass_n passes, $(wc -l </tmp/aliases) modaliases, $(($(modset | wc -l) - $(wc -l </tmp/base.mods))) modules loaded"
info "coldplug loaded: $(modset | grep -vxF -f /tmp/base.mods | tr '\n' ' ')"
modset >/tmp/cold.ours
if [ -z "$cp_out" ]; then pass coldplug_quiet; else fail coldplug_quiet "modprobe -a -b -q printed '$(oneline "$cp_out")'"; fi
for m in e1000e 8139too ahci libahci libata nvme nvme_core xhci_pci xhci_hcd usbcore usb_storage usbhid hid \
	hid_generic sd_mod snd_hda_intel snd_hda_codec_generic; do
	if loaded $m; then pass "coldplug_$m"; else fail "coldplug_$m" "$m not loaded by coldplug"; fi
done
# Bound to their devices, not only loaded.
# Bound to their devices, not only loaded. QEMU's rtl8139 is an RTL8139C+
# (revision 0x20): 8139cp, which the same modalias loads, takes it.
for d in e1000e 8139too+8139cp ahci nvme xhci_hcd snd_hda_intel; do
	bound=
	for drv in $(echo $d | tr + ' '); do
		ls /sys/bus/pci/drivers/$drv 2>/dev/null | grep -q '^0000:' && bound=$drv
	done
	if [ -n "$bound" ]; then pass "coldplug_bound_$d"; else fail "coldplug_bound_$d" "no PCI device bound to $d"; fi
done
# modprobe.blacklist=pcspkr on the kernel command line, and -b.
if [ -f /sys/devices/platform/pcspkr/modalias ]; then
	loaded pcspkr && fail coldplug_cmdline_blacklist "pcspkr loaded (modprobe.blacklist=pcspkr, -b)" || pass coldplug_cmdline_blacklist
else
	fail coldplug_cmdline_blacklist "no /sys/devices/platform/pcspkr/modalias to test the blacklist with"
fi

# ============================================================== kernel command line
section "module parameters from the kernel command line"
# What the command line's parameters did, for the comparison with kmod 34.2
# below: the first model of snd_hda_intel, psmouse's rate, and how many of
# e1000e's debug sites are on, in netdev.c and elsewhere.
cmdline_state() {
	dd=$(grep '\[e1000e\]' /proc/dynamic_debug/control 2>/dev/null)
	echo "model='$(cut -d, -f1 /sys/module/snd_hda_intel/parameters/model 2>/dev/null)'" \
		"psmouse.rate=$(cat /sys/module/psmouse/parameters/rate 2>/dev/null)" \
		"e1000e.netdev.c=p:$(printf '%s\n' "$dd" | grep '/netdev\.c:[0-9]* ' | grep -c ' =p ')" \
		"e1000e.other=p:$(printf '%s\n' "$dd" | grep -v '/netdev\.c:' | grep -c ' =p ')"
}
cmdline_state >/tmp/cmdline.ours
info "parameters: $(cat /tmp/cmdline.ours)"
# psmouse."rate=20": a quote in the module part drops the word (kmod 34.2),
# so psmouse keeps its default rate (compared with kmod 34.2's below).
if loaded psmouse && [ "$(cat /sys/module/psmouse/parameters/rate)" = 100 ]; then
	pass cmdline_quoted_module_dropped
else
	fail cmdline_quoted_module_dropped "expected psmouse loaded with its default rate 100; rate '$(cat /sys/module/psmouse/parameters/rate 2>/dev/null)'"
fi
# snd_hda_intel.model="quoted model": a value in quotes with a space.
model=$(cat /sys/module/snd_hda_intel/parameters/model 2>/dev/null)
case $model in
"quoted model,"* | "quoted model") pass cmdline_quoted_value ;;
*) fail cmdline_quoted_value "expected /sys/module/snd_hda_intel/parameters/model to start with 'quoted model'; got '$model'" ;;
esac
# "e1000e.dyndbg=file netdev.c +p": a whole word in quotes, spaces in the value.
on=$(grep '\[e1000e\]' /proc/dynamic_debug/control 2>/dev/null | grep -c '/netdev\.c:[0-9]* .* =p ')
off=$(grep '\[e1000e\]' /proc/dynamic_debug/control 2>/dev/null | grep -v '/netdev\.c:' | grep -c ' =p ')
if [ "$on" -gt 0 ] && [ "$off" = 0 ]; then
	pass cmdline_quoted_dyndbg
else
	fail cmdline_quoted_dyndbg "expected e1000e's netdev.c debug sites on (=p), no others; $on on, $off others on: '$(oneline "$(grep '\[e1000e\]' /proc/dynamic_debug/control | head -n 3)")'"
fi

# ============================================================== request_module
section "the kernel's request_module (our /sbin/modprobe)"
# The kernel runs /proc/sys/kernel/modprobe: ours.
if [ "$(cat /proc/sys/kernel/modprobe)" = /sbin/modprobe ] && [ "$(readlink /sbin/modprobe)" = modutils ]; then
	pass autoload_runs_ours
else
	fail autoload_runs_ours "kernel.modprobe is '$(cat /proc/sys/kernel/modprobe)', /sbin/modprobe -> '$(readlink /sbin/modprobe)'"
fi
for m in dummy veth ext4; do
	loaded $m && fail autoload_${m}_before "$m loaded before the test"
done
ip link add mtdummy type dummy 2>/tmp/ip.err
# "dummy.numdummies=3" (a whole word in quotes) reaches the module.
if loaded dummy && [ -e /sys/class/net/mtdummy ]; then pass autoload_rtnl_dummy; else fail autoload_rtnl_dummy "ip link add type dummy: $(cat /tmp/ip.err)"; fi
if [ -e /sys/class/net/dummy2 ] && [ ! -e /sys/class/net/dummy3 ]; then
	pass cmdline_quoted_word
else
	fail cmdline_quoted_word "expected dummy0..dummy2 (dummy.numdummies=3); net: $(ls /sys/class/net | tr '\n' ' ')"
fi
ip link add mtveth type veth 2>/tmp/ip.err
if loaded veth && [ -e /sys/class/net/mtveth ]; then pass autoload_rtnl_veth; else fail autoload_rtnl_veth "ip link add type veth: $(cat /tmp/ip.err)"; fi
if [ -b /dev/nvme0n1 ]; then
	if mount -t ext4 /dev/nvme0n1 /mnt 2>/tmp/mount.err && loaded ext4 && loaded jbd2 && loaded mbcache; then
		pass autoload_fs_ext4
	else
		fail autoload_fs_ext4 "mount -t ext4 /dev/nvme0n1: $(cat /tmp/mount.err); loaded: $(modset | tr '\n' ' ')"
	fi
	umount /mnt 2>/dev/null
else
	fail autoload_fs_ext4 "no /dev/nvme0n1 (nvme not coldplugged?)"
fi

# ============================================================== coldplug with kmod 34.2
# From the same start, kmod 34.2's modprobe must load the same modules.
section "coldplug with kmod 34.2 for comparison"
ip link del mtdummy 2>/dev/null
ip link del mtveth 2>/dev/null
reset
left=$(modset | grep -vxF -f /tmp/base.mods | tr '\n' ' ')
info "left after unloading: $left"
coldplug /k34/bin/modprobe
modset >/tmp/cold.kmod
section "kmod 34.2 coldplug done: $pass_n passes"
if cmp -s /tmp/cold.kmod /tmp/cold.ours; then
	pass coldplug_same_as_kmod
else
	fail coldplug_same_as_kmod "only kmod 34.2: '$(grep -vxF -f /tmp/cold.ours /tmp/cold.kmod | tr '\n' ' ')'; only ours: '$(grep -vxF -f /tmp/cold.kmod /tmp/cold.ours | tr '\n' ' ')'"
fi
cmdline_state >/tmp/cmdline.kmod
if cmp -s /tmp/cmdline.kmod /tmp/cmdline.ours; then
	pass cmdline_same_as_kmod
else
	fail cmdline_same_as_kmod "kernel command line parameters after kmod 34.2's coldplug: $(cat /tmp/cmdline.kmod); after ours: $(cat /tmp/cmdline.ours)"
fi

# ============================================================== depmod
section "depmod on $(cat /expect/depmod.dirs) ($(cat /expect/depmod.count) modules)"
mkdir -p /dm/usr/lib/modules/$V/kernel
ln -s usr/lib /dm/lib
for d in $(cat /expect/depmod.dirs); do cp -al $KD/kernel/$d /dm/usr/lib/modules/$V/kernel/; done
cp $KD/modules.order $KD/modules.builtin $KD/modules.builtin.modinfo /dm/usr/lib/modules/$V/
t1=$(now)
run /sbin/depmod -b /dm $V
info "depmod took $(awk -v a="$t1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
if [ "$RC" = 0 ] && [ "$OUT" = "$(cat /expect/depmod.stdout)" ] && [ "$ERR" = "$(cat /expect/depmod.stderr)" ]; then
	pass depmod_run
else
	fail depmod_run "expected rc=0 and kmod 34.2's output '$(oneline "$(cat /expect/depmod.stderr)")'; $(got)"
fi
want=$(cd /expect/depmod && ls modules.* | tr '\n' ' ')
have=$(cd /dm/lib/modules/$V && ls modules.* | tr '\n' ' ')
[ "$want" = "$have" ] && pass depmod_files || fail depmod_files "kmod 34.2 wrote '$want'; ours: '$have'"
for f in /expect/depmod/modules.*; do
	b=${f##*/}
	if cmp -s "$f" /dm/lib/modules/$V/$b; then pass "depmod_$b"; else fail "depmod_$b" "differs from kmod 34.2's $b"; fi
done

section "done"
echo "MODTEST: DONE $PASSED passed, $FAILED failed"
sync
poweroff -f
sleep 5
exit 1
