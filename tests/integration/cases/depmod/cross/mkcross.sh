#!/bin/bash
# Rebuild root/ of the cross case (needs the cross compilers named in README).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
M=$here/../lib/mkmod.sh
K=$here/root/lib/modules/6.1.0-test/kernel
rm -rf "$here/root"
bash $M $K/arm/arm_a.ko arm_a -c arm-linux-gnueabihf-gcc -k arm_fn:0x11223344 -r alias=arm-alias
bash $M $K/arm/arm_b.ko arm_b -c arm-linux-gnueabihf-gcc -i arm_fn -v 0x11223344:arm_fn -i printk -v 0x0000abcd:printk
bash $M $K/ppc/ppc_a.ko ppc_a -c powerpc-linux-gnu-gcc -k ppc_fn:0x55667788 -r 'alias=of:N*T*Cppc,test'
bash $M $K/ppc/ppc_b.ko ppc_b -c powerpc-linux-gnu-gcc -i ppc_fn -v 0x55667789:ppc_fn -i arm_fn -v 0x11223344:arm_fn
bash $M $K/s390/s390_a.ko s390_a -c s390x-linux-gnu-gcc -k s390_fn:0x99aabbcc -x s390_plain
bash $M $K/s390/s390_b.ko s390_b -c s390x-linux-gnu-gcc -i s390_fn -v 0x99aabbcc:s390_fn -i ppc_fn -v 0x55667788:ppc_fn -i s390_plain
xz --check=crc32 $K/s390/s390_b.ko
zstd -q --rm $K/ppc/ppc_b.ko
printf 'kernel/s390/s390_b.ko\nkernel/ppc/ppc_b.ko\nkernel/arm/arm_b.ko\nkernel/arm/arm_a.ko\nkernel/ppc/ppc_a.ko\nkernel/s390/s390_a.ko\n' > $K/../modules.order
printf '0x0000abcd\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n' > $here/root/Module.symvers
