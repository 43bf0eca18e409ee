# SPDX-License-Identifier: GPL-2.0-only
#
# build.exports: the shared library exports exactly the functions the
# public headers declare (static inline ones excepted), so no internal
# symbol is part of the ABI and no public one is missing.
#
#   cmake -DNM=nm -DLIB=libpkvmsim.so -DINCLUDE_DIR=include/pkvmsim
#         -P check_exports.cmake
foreach(var NM LIB INCLUDE_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_exports.cmake: -D${var}= is required")
  endif()
endforeach()

# What the headers declare: a name followed by "(" on a line that starts a
# declaration at file scope, not a static inline definition.
file(GLOB headers ${INCLUDE_DIR}/*.h)
set(declared "")
foreach(header ${headers})
  # Brackets and semicolons would merge lines of a CMake list.
  file(READ ${header} text)
  string(REGEX REPLACE "[][;]" "." text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  # A static inline's name is on its first line or the next.
  set(inline_lines 0)
  foreach(line IN LISTS lines)
    if(line MATCHES "^static inline")
      set(inline_lines 2)
    endif()
    if(line MATCHES "^[a-z][a-z0-9_ ]*[ *]((pkvmsim|pkvm_hvc)_[a-z0-9_]+)\\("
       AND inline_lines EQUAL 0)
      list(APPEND declared ${CMAKE_MATCH_1})
    endif()
    if(inline_lines GREATER 0)
      math(EXPR inline_lines "${inline_lines} - 1")
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES declared)
list(SORT declared)
list(LENGTH declared nr_declared)
if(nr_declared LESS 20)
  message(FATAL_ERROR "only ${nr_declared} functions found in "
                      "${INCLUDE_DIR}: the header parser is broken")
endif()

execute_process(COMMAND ${NM} -D --defined-only ${LIB}
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -D ${LIB} failed (${rc})")
endif()
string(REPLACE "\n" ";" out_lines "${out}")
set(exported "")
foreach(line IN LISTS out_lines)
  # "address type name[@@version]"; the version node itself is type A.
  if(line MATCHES "^[0-9a-f]+ ([TtWwDdBbRr]) ([A-Za-z0-9_]+)")
    list(APPEND exported ${CMAKE_MATCH_2})
  endif()
endforeach()
list(SORT exported)

set(missing ${declared})
list(REMOVE_ITEM missing ${exported})
set(extra ${exported})
list(REMOVE_ITEM extra ${declared})
if(missing OR extra)
  string(REPLACE ";" " " missing "${missing}")
  string(REPLACE ";" " " extra "${extra}")
  message(FATAL_ERROR "${LIB}:\n  declared, not exported: ${missing}\n"
                      "  exported, not declared: ${extra}")
endif()
message(STATUS "${nr_declared} functions exported, as the headers declare")
