# SPDX-License-Identifier: GPL-2.0-only
#
# `pkvmsim shell` with its standard input from a file: what it prints must
# be EXPECTED exactly (result lines only: no prompt, no banner), nothing
# on stderr, exit status 0.
#
#   cmake -DPROGRAM=<pkvmsim> -DINPUT=<file> -DEXPECTED=<file> -P console.cmake

execute_process(COMMAND ${PROGRAM} shell
                INPUT_FILE ${INPUT}
                RESULT_VARIABLE status
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
message("$ pkvmsim shell < ${INPUT}\n${out}${err}(exit status ${status})")
file(READ ${EXPECTED} expected)
set(failed)
if(NOT status STREQUAL "0")
  list(APPEND failed "exit status ${status}, expected 0")
endif()
if(NOT err STREQUAL "")
  list(APPEND failed "stderr is not empty")
endif()
if(NOT out STREQUAL expected)
  list(APPEND failed "stdout is not ${EXPECTED}:\n${expected}")
endif()
if(failed)
  list(JOIN failed "\n  " failed)
  message(FATAL_ERROR "console.cmake:\n  ${failed}")
endif()
