/* SPDX-License-Identifier: GPL-2.0-only */
/* DUPLICATES the SMCCC function-id encoding and return codes pKVM uses. */
#ifndef __PKVMSIM_LINUX_ARM_SMCCC_H
#define __PKVMSIM_LINUX_ARM_SMCCC_H

#define ARM_SMCCC_STD_CALL		0UL
#define ARM_SMCCC_FAST_CALL		1UL
#define ARM_SMCCC_TYPE_SHIFT		31

#define ARM_SMCCC_SMC_32		0UL
#define ARM_SMCCC_SMC_64		1UL
#define ARM_SMCCC_CALL_CONV_SHIFT	30

#define ARM_SMCCC_OWNER_MASK		0x3FUL
#define ARM_SMCCC_OWNER_SHIFT		24
#define ARM_SMCCC_FUNC_MASK		0xFFFFUL

#define ARM_SMCCC_OWNER_VENDOR_HYP	6UL

/* SMCCC v1.3: bit 16 is the SVE live-state hint, not part of the id. */
#define ARM_SMCCC_1_3_SVE_HINT		0x10000UL
#define ARM_SMCCC_CALL_HINTS		ARM_SMCCC_1_3_SVE_HINT

#define ARM_SMCCC_CALL_VAL(type, calling_convention, owner, func_num)	\
	(((type) << ARM_SMCCC_TYPE_SHIFT) |				\
	 ((calling_convention) << ARM_SMCCC_CALL_CONV_SHIFT) |		\
	 (((owner) & ARM_SMCCC_OWNER_MASK) << ARM_SMCCC_OWNER_SHIFT) |	\
	 ((func_num) & ARM_SMCCC_FUNC_MASK))

#define SMCCC_RET_SUCCESS		0
#define SMCCC_RET_NOT_SUPPORTED		-1
#define SMCCC_RET_NOT_REQUIRED		-2
#define SMCCC_RET_INVALID_PARAMETER	-3

#endif /* __PKVMSIM_LINUX_ARM_SMCCC_H */
