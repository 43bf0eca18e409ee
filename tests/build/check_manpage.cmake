# SPDX-License-Identifier: GPL-2.0-only
#
# build.manpage: pkvmsim.1 formats without a warning, and names every
# command and option `pkvmsim --help` does, so the two cannot drift.
#
#   cmake -DPROGRAM=pkvmsim -DPAGE=doc/pkvmsim.1 [-DGROFF=groff]
#         -P check_manpage.cmake
foreach(var PROGRAM PAGE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_manpage.cmake: -D${var}= is required")
  endif()
endforeach()

if(GROFF)
  execute_process(COMMAND ${GROFF} -man -ww -z -Tutf8 ${PAGE}
                  RESULT_VARIABLE rc ERROR_VARIABLE warnings)
  if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "")
    message(FATAL_ERROR "${PAGE}: groff says (${rc}):\n${warnings}")
  endif()
endif()

file(READ ${PAGE} page)
# Roff's "\-" is the "-" of an option.
string(REPLACE "\\-" "-" page "${page}")

execute_process(COMMAND ${PROGRAM} --help OUTPUT_VARIABLE help
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --help failed (${rc})")
endif()

string(REGEX MATCHALL "--[a-z][a-z-]*" options "${help}")
# The commands are those of the usage lines, which begin with them.
string(REGEX MATCHALL "\n(usage:)? *pkvmsim [a-z]+" commands "\n${help}")
string(REGEX REPLACE "\n(usage:)? *" "" commands "${commands}")
list(REMOVE_DUPLICATES options)
list(REMOVE_DUPLICATES commands)
list(LENGTH options nr_options)
list(LENGTH commands nr_commands)
if(nr_options LESS 10 OR nr_commands LESS 3)
  message(FATAL_ERROR "only ${nr_options} options and ${nr_commands} "
                      "commands in --help: the parser is broken")
endif()

set(missing "")
foreach(word IN LISTS options commands)
  string(STRIP "${word}" word)
  string(FIND "${page}" "${word}" at)
  if(at EQUAL -1)
    list(APPEND missing "${word}")
  endif()
endforeach()
if(missing)
  string(REPLACE ";" ", " missing "${missing}")
  message(FATAL_ERROR "${PAGE} does not mention what --help does: "
                      "${missing}")
endif()
message(STATUS "${nr_commands} commands and ${nr_options} options, all "
               "in ${PAGE}")
