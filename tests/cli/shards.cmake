# SPDX-License-Identifier: GPL-2.0-only
#
# `pkvmsim explore --shard i/N`: the N shards of a DFS exploration run
# its schedules between them, each once: their counts add up to the
# unsharded run's, and each says it is exhausted.
#
#   cmake -DPROGRAM=<pkvmsim> -DSHARDS=<N> -P shards.cmake

set(args explore --scenario first-run --strategy dfs --preemptions 2
         --quiet)

function(schedules out)
  execute_process(COMMAND ${PROGRAM} ${args} ${ARGN}
                  RESULT_VARIABLE status OUTPUT_VARIABLE text)
  if(NOT status EQUAL 0 OR
     NOT text MATCHES "\n  schedules +([0-9]+) \\(exhausted")
    message(FATAL_ERROR "shards.cmake: '${ARGN}' exited ${status}, not "
            "exhausted:\n${text}")
  endif()
  set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

schedules(whole)
set(sum 0)
math(EXPR last "${SHARDS} - 1")
foreach(i RANGE ${last})
  schedules(part --shard ${i}/${SHARDS})
  if(part EQUAL whole)
    message(FATAL_ERROR "shards.cmake: shard ${i}/${SHARDS} ran all "
            "${whole} schedules")
  endif()
  math(EXPR sum "${sum} + ${part}")
endforeach()
if(NOT sum EQUAL whole)
  message(FATAL_ERROR "shards.cmake: ${SHARDS} shards ran ${sum} "
          "schedules, the whole exploration ${whole}")
endif()
message("${SHARDS} shards: ${sum} schedules, as the whole exploration")
