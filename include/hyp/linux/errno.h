/* SPDX-License-Identifier: GPL-2.0-only */
/* DUPLICATES the kernel's errno values used by pKVM (same numbers as Linux). */
#ifndef __PKVMSIM_LINUX_ERRNO_H
#define __PKVMSIM_LINUX_ERRNO_H

#ifndef EPERM
#define EPERM		1
#define ENOENT		2
#define E2BIG		7
#define ENOMEM		12
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define EINVAL		22
#define ERANGE		34
#endif

#endif /* __PKVMSIM_LINUX_ERRNO_H */
