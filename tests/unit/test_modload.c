// SPDX-License-Identifier: GPL-2.0-or-later
/* modload: the one retry rule (the loads themselves are the integration
 * cases' and the real-kernel test's: no test here calls the kernel). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kernel.h"
#include "modload.h"

static void retried_once_in_user_space(void **state)
{
	static const int decompression[] = { EINVAL, ENOMEM, EOPNOTSUPP, EFBIG };
	static const int real[] = { EEXIST, ENOENT, ENOEXEC, EPERM, EBUSY, ESRCH };

	/* finit_module missing: always */
	assert_true(modload_retry(-ENOSYS, 0));
	assert_true(modload_retry(-ENOSYS, KERNEL_LOAD_COMPRESSED_FILE));
	for (size_t i = 0; i < sizeof(decompression) / sizeof(decompression[0]); i++) {
		/* the kernel's own decompression failed */
		assert_true(modload_retry(-decompression[i], KERNEL_LOAD_COMPRESSED_FILE));
		assert_true(modload_retry(-decompression[i],
					  KERNEL_LOAD_COMPRESSED_FILE | KERNEL_LOAD_IGNORE_VERMAGIC));
		/* a plain file: the kernel's answer about the module */
		assert_false(modload_retry(-decompression[i], 0));
	}
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++)
		assert_false(modload_retry(-real[i], KERNEL_LOAD_COMPRESSED_FILE));
	assert_false(modload_retry(0, KERNEL_LOAD_COMPRESSED_FILE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(retried_once_in_user_space),
	};
	return cmocka_run_group_tests_name("modload", tests, NULL, NULL);
}
