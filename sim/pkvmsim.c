// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <pkvmsim/pkvmsim.h>

int main(void)
{
	struct pkvmsim *sim;
	int ret = pkvmsim_create(NULL, &sim);

	if (ret)
		return 1;
	return pkvmsim_destroy(sim) ? 1 : 0;
}
