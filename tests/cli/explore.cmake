# SPDX-License-Identifier: GPL-2.0-only
#
# Run `pkvmsim explore` (or any command) once and check what it hands on by
# using it: the replay line replays the same schedule, the JSON parses and
# says what happened, the trace file is a Chrome/Perfetto trace, the
# pending file holds a line that replays.
#
#   cmake -DPROGRAM=<pkvmsim> -DSTATUS=<n>
#         [-DARG0=<arg> -DARG1=<arg> ...]  the command line
#         [-DREPLAY=1]      stdout starts with "replay: <line>"; `pkvmsim
#                           replay` of it, pasted unquoted and quoted,
#                           exits STATUS with the same trace hash
#         [-DREPLAY_TRACE=<file>]  ...and with --trace <file>
#         [-DJSON=1]        stdout is one JSON object (explore --json);
#                           with a violation, `replay --json` of its
#                           replay line gives the same trace_hash
#         [-DTRACE=<file>]  <file>, removed first, is then a trace with
#                           at least one event
#         [-DPENDING=<file>]  <file>, removed first, then holds a replay
#                           line that exits STATUS
#         [-DABSENT=<file>]  <file>, removed first, is not written
#         -P explore.cmake

if(NOT DEFINED PROGRAM OR NOT DEFINED STATUS)
  message(FATAL_ERROR "explore.cmake: PROGRAM and STATUS are required")
endif()

include(${CMAKE_CURRENT_LIST_DIR}/run_program.cmake)

set(failed)
function(fail what)
  set(failed ${failed} "${what}" PARENT_SCOPE)
endfunction()

# The text's trace hash, or the JSON's.
function(trace_hash_of text var)
  if(JSON)
    string(JSON hash ERROR_VARIABLE json_err GET "${text}" trace_hash)
  elseif(text MATCHES "\n  trace hash +([0-9a-f]+)\n")
    set(hash "${CMAKE_MATCH_1}")
  else()
    set(hash "")
  endif()
  set(${var} "${hash}" PARENT_SCOPE)
endfunction()

# A file written by a run, parsed: a JSON object with a traceEvents array
# of at least one event.
function(check_trace file)
  if(NOT EXISTS "${file}")
    fail("no trace file ${file}")
    set(failed ${failed} PARENT_SCOPE)
    return()
  endif()
  file(READ "${file}" trace)
  string(JSON type ERROR_VARIABLE json_err TYPE "${trace}" traceEvents)
  if(json_err)
    fail("${file} is not JSON with traceEvents: ${json_err}")
  elseif(NOT type STREQUAL "ARRAY")
    fail("traceEvents in ${file} is ${type}, not an array")
  else()
    string(JSON n LENGTH "${trace}" traceEvents)
    if(n LESS 1)
      fail("traceEvents in ${file} is empty")
    endif()
  endif()
  set(failed ${failed} PARENT_SCOPE)
endfunction()

foreach(file IN ITEMS "${TRACE}" "${REPLAY_TRACE}" "${PENDING}" "${ABSENT}")
  if(file)
    file(REMOVE "${file}")
  endif()
endforeach()

run_program(${args})
set(first_status "${status}")
set(first_out "${out}")
if(NOT status STREQUAL "${STATUS}")
  fail("exit status ${status}, expected ${STATUS}")
endif()

if(JSON)
  string(JSON type ERROR_VARIABLE json_err TYPE "${out}")
  if(json_err OR NOT type STREQUAL "OBJECT")
    fail("stdout is not one JSON object: ${json_err}")
  else()
    foreach(key scenario mode profile strategy seed schedules seconds
                exhausted violation replay why trace_hash report)
      string(JSON value ERROR_VARIABLE json_err GET "${out}" ${key})
      if(json_err)
        fail("JSON has no '${key}': ${json_err}")
      endif()
    endforeach()
    string(JSON violation GET "${out}" violation)
    string(JSON replay GET "${out}" replay)
    string(JSON hash GET "${out}" trace_hash)
    if(STATUS EQUAL 1)
      if(NOT violation STREQUAL "ON")
        fail("JSON violation is '${violation}', not true")
      endif()
      if(NOT replay MATCHES "^pkvmsim-replay/1 ")
        fail("JSON replay '${replay}' is no replay line")
      endif()
      if(NOT hash MATCHES "^[0-9a-f]+$")
        fail("JSON trace_hash '${hash}' is not a hex string")
      endif()
      string(JSON n LENGTH "${out}" report)
      if(n LESS 1)
        fail("JSON report is empty")
      endif()
      run_program(replay "${replay}" --json)
      string(JSON again ERROR_VARIABLE json_err GET "${out}" trace_hash)
      if(NOT status EQUAL 1 OR NOT again STREQUAL hash)
        fail("replay --json exits ${status} with trace_hash '${again}'"
             ", explore 1 with '${hash}'")
      endif()
    elseif(NOT violation STREQUAL "OFF")
      fail("JSON violation is '${violation}', not false")
    endif()
  endif()
endif()

if(REPLAY)
  if(first_out MATCHES "^replay: (pkvmsim-replay/1 [^\n]*)\n")
    set(line "${CMAKE_MATCH_1}")
    trace_hash_of("${first_out}" hash)
    if(NOT hash)
      fail("no trace hash in the output")
    endif()
    set(extra)
    if(REPLAY_TRACE)
      set(extra --trace "${REPLAY_TRACE}")
    endif()
    # Pasted unquoted, the line is many arguments; quoted, one.
    string(REPLACE " " ";" words "${line}")
    foreach(how unquoted quoted)
      if(how STREQUAL "unquoted")
        run_program(replay ${words} ${extra})
      else()
        run_program(replay "${line}" ${extra})
      endif()
      trace_hash_of("${out}" again)
      if(NOT status STREQUAL first_status)
        fail("the replay line (${how}) exits ${status}, the run "
             "${first_status}")
      endif()
      if(NOT again STREQUAL hash)
        fail("the replay (${how}) has trace hash '${again}', the run "
             "'${hash}'")
      endif()
    endforeach()
    if(REPLAY_TRACE)
      check_trace("${REPLAY_TRACE}")
    endif()
  else()
    fail("stdout does not start with a replay line")
  endif()
endif()

if(TRACE)
  check_trace("${TRACE}")
endif()

if(PENDING)
  if(EXISTS "${PENDING}")
    file(STRINGS "${PENDING}" pending LIMIT_COUNT 1)
    if(pending MATCHES "^pkvmsim-replay/1 ")
      run_program(replay "${pending}")
      if(NOT status STREQUAL first_status)
        fail("the pending line exits ${status}, the run ${first_status}")
      endif()
    else()
      fail("${PENDING} holds no replay line: '${pending}'")
    endif()
  else()
    fail("no pending file ${PENDING}")
  endif()
endif()

if(ABSENT AND EXISTS "${ABSENT}")
  fail("${ABSENT} was written")
endif()

if(failed)
  list(JOIN failed "\n  " failed)
  message(FATAL_ERROR "explore.cmake:\n  ${failed}")
endif()
