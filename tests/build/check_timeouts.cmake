# SPDX-License-Identifier: GPL-2.0-only
# Every CTest case of the build tree BUILD_DIR has a TIMEOUT property, so
# that a hang fails the test instead of running for CTest's default 1500 s.
# Reads what `CTEST --show-only=json-v1` lists (each test with its
# properties) and names every test without one.
execute_process(COMMAND ${CTEST} --show-only=json-v1
                WORKING_DIRECTORY ${BUILD_DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE json ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctest --show-only=json-v1 failed (${rc}): ${err}")
endif()

# string(JSON) parses its input anew on each call: take the list of tests
# out once, then each test, so that no call parses the whole output again.
string(JSON tests GET "${json}" tests)
string(JSON count LENGTH "${tests}")
if(count EQUAL 0)
  message(FATAL_ERROR "ctest lists no tests in ${BUILD_DIR}")
endif()
set(missing "")
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON test GET "${tests}" ${i})
  string(JSON name GET "${test}" name)
  string(JSON props ERROR_VARIABLE no_props GET "${test}" properties)
  set(found FALSE)
  if(NOT no_props)
    string(JSON nprops LENGTH "${props}")
    if(nprops GREATER 0)
      math(EXPR plast "${nprops} - 1")
      foreach(j RANGE ${plast})
        string(JSON prop GET "${props}" ${j} name)
        if(prop STREQUAL "TIMEOUT")
          # An explicit 0 means no timeout at all.
          string(JSON seconds GET "${props}" ${j} value)
          if(seconds GREATER 0)
            set(found TRUE)
          endif()
          break()
        endif()
      endforeach()
    endif()
  endif()
  if(NOT found)
    string(APPEND missing "  ${name}\n")
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "tests without a TIMEOUT property, or with 0 (set "
    "one that fits the test's work; see tests/timeouts.cmake):\n${missing}")
endif()
message(STATUS "all ${count} tests have a TIMEOUT")
