// SPDX-License-Identifier: GPL-2.0-only
#include "sim_test.h"

static void lifecycle(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;

	test_vm_create_live(sim, &vm, 2, 0);
	assert_int_equal(slot_state_of(test_vm_handle(&vm)), SLOT_LIVE);
	assert_int_equal(test_vm_teardown(sim, &vm, 1), 0);
	test_vm_free(sim, &vm, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(lifecycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
