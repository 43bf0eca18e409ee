# SPDX-License-Identifier: GPL-2.0-only
#
# Run the pkvmsim program once and check what it did: its exit status
# exactly (WILL_FAIL cannot tell a usage error, 2, from a violation, 1, or
# from a crash), and that its output, stdout and stderr together, says
# what it should.
#
#   cmake -DPROGRAM=<pkvmsim> -DSTATUS=<n>
#         [-DARG0=<arg> -DARG1=<arg> ...]        the command line
#         [-DMATCH0=<regex> ...]                 must all match
#         [-DNO_MATCH0=<regex> ...]              must none match
#         [-DJSON_KEY0=<a.0.b> -DJSON_VALUE0=<v>]  stdout is a JSON
#                                   object with a[0].b = v
#         [-DREPLAY=1]  run the printed replay line: same exit status
#         -P expect.cmake
#
# Arguments come one per variable so that none needs quoting or escaping.

if(NOT DEFINED PROGRAM OR NOT DEFINED STATUS)
  message(FATAL_ERROR "expect.cmake: PROGRAM and STATUS are required")
endif()

include(${CMAKE_CURRENT_LIST_DIR}/run_program.cmake)

run_program(${args})
set(failed)
if(NOT status STREQUAL "${STATUS}")
  list(APPEND failed "exit status ${status}, expected ${STATUS}")
endif()

set(i 0)
while(DEFINED MATCH${i})
  if(NOT "${out}${err}" MATCHES "${MATCH${i}}")
    list(APPEND failed "output does not match '${MATCH${i}}'")
  endif()
  math(EXPR i "${i} + 1")
endwhile()

set(i 0)
while(DEFINED NO_MATCH${i})
  if("${out}${err}" MATCHES "${NO_MATCH${i}}")
    list(APPEND failed "output matches '${NO_MATCH${i}}'")
  endif()
  math(EXPR i "${i} + 1")
endwhile()

set(i 0)
while(DEFINED JSON_KEY${i})
  string(REPLACE "." ";" path "${JSON_KEY${i}}")
  string(JSON value ERROR_VARIABLE json_err GET "${out}" ${path})
  if(json_err)
    list(APPEND failed "stdout is not JSON with '${JSON_KEY${i}}': ${json_err}")
  elseif(NOT value STREQUAL "${JSON_VALUE${i}}")
    list(APPEND failed
         "JSON '${JSON_KEY${i}}' is '${value}', expected '${JSON_VALUE${i}}'")
  endif()
  math(EXPR i "${i} + 1")
endwhile()

# The replay line must give the same verdict: it is how a failure is
# handed to someone else.
if(REPLAY)
  if("${out}" MATCHES "\nreplay: pkvmsim ([^\n]*)")
    separate_arguments(replay UNIX_COMMAND "${CMAKE_MATCH_1}")
    set(first_status "${status}")
    run_program(${replay})
    if(NOT status STREQUAL first_status)
      list(APPEND failed
           "the replay line exits ${status}, the run ${first_status}")
    endif()
  else()
    list(APPEND failed "no replay line")
  endif()
endif()

if(failed)
  list(JOIN failed "\n  " failed)
  message(FATAL_ERROR "expect.cmake:\n  ${failed}")
endif()
