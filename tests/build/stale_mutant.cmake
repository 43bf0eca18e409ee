# SPDX-License-Identifier: GPL-2.0-only
#
# A kernel change ported into src/hyp that leaves a mutant's patch behind
# must still configure and build; only that mutant's test fails, saying
# which patch to refresh.  Shown on a copy of the tree whose pkvm.c has one
# comment more, inside what tests/mutants/reserve_split_lock.patch needs as
# context:
#
#   cmake -DSOURCE_DIR=<the tree> -DWORK=<scratch dir> -DPATCH=<patch(1)>
#         -DGENERATOR=<gen> -DMAKE_PROGRAM=<prog> -DC_COMPILER=<cc>
#         [-DBUILD_TYPE=<type>] -P stale_mutant.cmake
#
# A whole configure and build of the copy: 10-30 s on two CPUs.

foreach(var SOURCE_DIR WORK PATCH GENERATOR MAKE_PROGRAM C_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "stale_mutant.cmake: ${var} is required")
  endif()
endforeach()

set(stale reserve_split_lock)
# Another mutant of the same file, whose hunk lies elsewhere: it still
# applies, at an offset, and still has teeth.
set(healthy unreserve_unchecked)

set(src ${WORK}/src)
set(bin ${WORK}/build)
string(CONCAT stale_regex "mutant ${stale}: tests/mutants/${stale}\\.patch "
       "no longer applies to src/hyp: refresh it .* Hunk #1 FAILED")

# Runs a command; its status in status, its output in out with every run
# of blanks one space, as CMake reflows the text of a message.
function(run)
  string(JOIN " " shown ${ARGN})
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status
                  OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("$ ${shown}\n${out}(exit status ${status})")
  string(REGEX REPLACE "[ \t\r\n]+" " " out "${out}")
  set(status "${status}" PARENT_SCOPE)
  set(out "${out}" PARENT_SCOPE)
endfunction()

# What the top-level CMakeLists.txt and the directories it adds read at
# configure time; examples/ is read by the package test.  Not build/, not
# .git.  A directory added there and not here fails the configure below.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${src})
foreach(entry CMakeLists.txt include src sim bench packaging tests examples
              doc LICENSE)
  file(COPY ${SOURCE_DIR}/${entry} DESTINATION ${src})
endforeach()

# The line the mutant inserts its unlock before gets a comment above it: a
# change that compiles and means nothing, but that patch(1) cannot get past,
# as the context next to a hunk's change must match even with fuzz.
set(pkvm_c ${src}/src/hyp/pkvm.c)
set(anchor "\n\tvm_table[idx] = RESERVED_ENTRY;\n\treturn idx;\n}\n")
file(READ ${pkvm_c} text)
string(FIND "${text}" "${anchor}" first)
string(FIND "${text}" "${anchor}" last REVERSE)
if(first EQUAL -1 OR NOT first EQUAL last)
  message(FATAL_ERROR "stale_mutant.cmake: src/hyp/pkvm.c no longer has the "
          "claim of a reserved slot once; choose the line to change afresh")
endif()
string(REPLACE "${anchor}"
       "\n\t/* The slot is free: claim it. */${anchor}" text "${text}")
file(WRITE ${pkvm_c} "${text}")

# That the edit makes the patch stale is this test's premise, not its
# finding: if it did not, say so rather than blame the mutants' CMake.
run(${PATCH} -p1 --dry-run --forward -d ${src}/src/hyp
    -i ${src}/tests/mutants/${stale}.patch)
if(status EQUAL 0)
  message(FATAL_ERROR "stale_mutant.cmake: ${stale}.patch still applies to "
          "the changed pkvm.c; change another line of its context")
endif()

set(build_type)
if(BUILD_TYPE)
  set(build_type -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
endif()
run(${CMAKE_COMMAND} -S ${src} -B ${bin} -G ${GENERATOR}
    -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}
    -DCMAKE_C_COMPILER=${C_COMPILER}
    ${build_type}
    -DBUILD_TESTING=ON
    -DPKVMSIM_SANITIZE=
    -DPKVMSIM_VALGRIND_TESTS=OFF)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "stale_mutant.cmake: a stale mutant stopped configure")
endif()
if(NOT out MATCHES "CMake Warning at [^ ]+ \\(message\\): ${stale_regex}")
  message(FATAL_ERROR "stale_mutant.cmake: configure gave no warning "
          "naming the stale mutant ${stale}")
endif()

run(${CMAKE_COMMAND} --build ${bin} -j 2)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "stale_mutant.cmake: a stale mutant stopped the build")
endif()

# Nothing of the stale mutant is built, nor left half-patched to build.
file(GLOB leftovers ${bin}/tests/mutants/${stale}/*.c
     ${bin}/tests/mutants/libmutant_${stale}.a
     ${bin}/tests/mutants/test_races_${stale})
if(leftovers)
  list(JOIN leftovers "\n" leftovers)
  message(FATAL_ERROR "stale_mutant.cmake: the stale mutant left\n${leftovers}")
endif()

run(${CMAKE_CTEST_COMMAND} --test-dir ${bin} --output-on-failure
    -R "^mutant\\.${stale}$")
if(status EQUAL 0)
  message(FATAL_ERROR "stale_mutant.cmake: mutant.${stale} passed; a stale "
          "mutant's test must fail")
endif()
if(NOT out MATCHES "${stale_regex}")
  message(FATAL_ERROR "stale_mutant.cmake: mutant.${stale} failed without "
          "saying that its patch no longer applies")
endif()

run(${CMAKE_CTEST_COMMAND} --test-dir ${bin} --output-on-failure
    -R "^mutant\\.${healthy}$")
if(NOT status EQUAL 0
   OR NOT out MATCHES "100% tests passed, 0 tests failed out of 1 ")
  message(FATAL_ERROR "stale_mutant.cmake: mutant.${healthy} did not pass "
          "beside a stale mutant")
endif()

# A full build tree; kept only when something above failed.
file(REMOVE_RECURSE ${WORK})
