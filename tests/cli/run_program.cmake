# SPDX-License-Identifier: GPL-2.0-only
#
# Shared by the cli test scripts (expect.cmake, explore.cmake): the
# command line from ARG0, ARG1, ... into `args`, and run_program(), which
# runs PROGRAM with its arguments, shows what it did, and hands back
# `status`, `out` and `err`.

set(args)
set(i 0)
while(DEFINED ARG${i})
  list(APPEND args "${ARG${i}}")
  math(EXPR i "${i} + 1")
endwhile()

function(run_program)
  execute_process(COMMAND ${PROGRAM} ${ARGN}
                  RESULT_VARIABLE status
                  OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  string(JOIN " " shown ${ARGN})
  message("$ pkvmsim ${shown}\n${out}${err}(exit status ${status})")
  set(status "${status}" PARENT_SCOPE)
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()
