# SPDX-License-Identifier: GPL-2.0-only
#
# The test of a mutant whose patch no longer applies (see CMakeLists.txt
# beside this file): it fails, saying which patch to refresh.
#
#   cmake -DMESSAGE_FILE=<what configure found> -P stale.cmake
#
# A missing or empty file still fails: nothing here can pass.

if(DEFINED MESSAGE_FILE AND EXISTS "${MESSAGE_FILE}")
  file(READ "${MESSAGE_FILE}" msg)
endif()
if(NOT msg)
  set(msg "stale.cmake: no message in '${MESSAGE_FILE}'; reconfigure")
endif()
message(FATAL_ERROR "${msg}")
