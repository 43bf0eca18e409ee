# SPDX-License-Identifier: GPL-2.0-only
#
# Test timeouts.  Without one a hung test runs for CTest's default 1500 s;
# with one it fails in a few times what it needs.  Every directory that
# adds tests includes this file and gives them a TIMEOUT fitting their
# work, at least 5x the slowest of them as measured on a 2-CPU machine
# running `ctest -j2`; build.timeouts fails naming any test without one.

# What the simulator itself runs is 5-20x slower under ThreadSanitizer,
# so the timeouts of what runs it are multiplied by this.
if(PKVMSIM_SANITIZE MATCHES "thread")
  set(PKVMSIM_TIMEOUT_SCALE 5)
else()
  set(PKVMSIM_TIMEOUT_SCALE 1)
endif()

# pkvmsim_test_timeouts(SECONDS): every test of the calling directory that
# has no TIMEOUT yet, or 0 (which means none), gets SECONDS.  Call it after
# the directory's last add_test(): a test added after the call gets none.
function(pkvmsim_test_timeouts seconds)
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test IN LISTS tests)
    get_test_property(${test} TIMEOUT timeout)
    if(NOT timeout)
      set_tests_properties(${test} PROPERTIES TIMEOUT ${seconds})
    endif()
  endforeach()
endfunction()
