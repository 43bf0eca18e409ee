# SPDX-License-Identifier: GPL-2.0-only
#
# One step of the package test (see CMakeLists.txt beside this file):
#
#   STEP=install       cmake --install BUILD_DIR --prefix PREFIX, and check
#                      that the package's files are there
#   STEP=find_package  configure EXAMPLES against PREFIX with LIBRARY as
#                      the target to link, build it in WORK, run its
#                      programs
#   STEP=pkg-config    compile EXAMPLES/lifecycle.c, inspect.c and race.c with what
#                      pkvmsim.pc says, in WORK, run them
#   STEP=deb           cpack -G DEB into WORK, check the package's fields
#                      (VERSION), unpack it, check its files, run its
#                      pkvmsim and build the examples against it
#
# The examples are built with the compiler of this build: a sanitized
# library needs its own compiler's runtime, which the package's link flags
# ask for.

function(run)
  string(JOIN " " shown ${ARGN})
  message("$ ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "package.cmake: '${shown}' failed: ${status}")
  endif()
endfunction()

# The example's own verdict: 0 and a clean report (the race example's
# exploration checks every schedule's report itself).
function(run_example exe)
  message("$ ${exe}")
  execute_process(COMMAND ${exe} RESULT_VARIABLE status
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}${err}")
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "package.cmake: the example exited ${status}")
  endif()
  get_filename_component(name ${exe} NAME)
  if(name STREQUAL "race")
    set(clean "^[1-9][0-9]* schedules, no violation \\(exhausted\\)")
  else()
    set(clean "check: 0 violations, 0 leaked pages")
  endif()
  if(NOT out MATCHES "${clean}")
    message(FATAL_ERROR "package.cmake: the example's report is not clean")
  endif()
endfunction()

# The package's files under @prefix, wherever GNUInstallDirs put them
# (lib, lib64, lib/<multiarch>), with headers that stand alone.
function(check_tree prefix)
  file(GLOB_RECURSE installed LIST_DIRECTORIES false RELATIVE ${prefix}
       ${prefix}/*)
  foreach(regex "^include/pkvmsim/pkvmsim\\.h$" "^include/pkvmsim/hvc\\.h$"
                "^include/pkvmsim/inspect\\.h$"
                "^include/pkvmsim/explore\\.h$"
                "^bin/pkvmsim$" "^share/man/man1/pkvmsim\\.1$"
                "^lib.*/libpkvmsim\\.a$"
                "^lib.*/libpkvmsim\\.so$" "^lib.*/pkgconfig/pkvmsim\\.pc$"
                "^lib.*/cmake/pkvmsim/pkvmsimConfig\\.cmake$"
                "^lib.*/cmake/pkvmsim/pkvmsimConfigVersion\\.cmake$"
                "^lib.*/cmake/pkvmsim/pkvmsimTargets\\.cmake$")
    set(found ${installed})
    list(FILTER found INCLUDE REGEX "${regex}")
    if(NOT found)
      message(FATAL_ERROR "package.cmake: nothing installed as ${regex}")
    endif()
  endforeach()

  # The installed headers must stand alone: nothing from the source tree.
  file(GLOB headers ${prefix}/include/pkvmsim/*.h)
  foreach(h ${headers})
    file(STRINGS ${h} includes REGEX "^#[ \t]*include")
    foreach(line ${includes})
      if(NOT line MATCHES "<(pkvmsim/[a-z_]+\\.h|std[a-z]+\\.h)>")
        message(FATAL_ERROR "package.cmake: ${h}: ${line}")
      endif()
    endforeach()
  endforeach()
endfunction()

# Build and run the examples in @work with what @prefix's pkvmsim.pc says.
function(build_with_pkg_config prefix work)
  file(REMOVE_RECURSE ${work})
  file(MAKE_DIRECTORY ${work})
  file(GLOB_RECURSE pc ${prefix}/pkvmsim.pc)
  get_filename_component(pcdir "${pc}" DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} ${pcdir})
  set(ENV{PKG_CONFIG_LIBDIR} ${pcdir})
  foreach(what cflags libs)
    execute_process(COMMAND ${PKG_CONFIG} --${what} pkvmsim
                    RESULT_VARIABLE status OUTPUT_VARIABLE ${what}
                    OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "package.cmake: pkg-config --${what} pkvmsim failed")
    endif()
    separate_arguments(${what} UNIX_COMMAND "${${what}}")
  endforeach()
  execute_process(COMMAND ${PKG_CONFIG} --variable=libdir pkvmsim
                  OUTPUT_VARIABLE libdir OUTPUT_STRIP_TRAILING_WHITESPACE)
  # -lpkvmsim takes the shared library: find it at run time where it is.
  foreach(example lifecycle inspect race)
    run(${C_COMPILER} -Wall -Wextra -Werror ${cflags}
        ${EXAMPLES}/${example}.c -o ${work}/${example} ${libs}
        -Wl,-rpath,${libdir})
    run_example(${work}/${example})
  endforeach()
endfunction()

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE ${PREFIX})
  set(config)
  if(CONFIG)
    set(config --config ${CONFIG})
  endif()
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} ${config})
  check_tree(${PREFIX})

elseif(STEP STREQUAL "find_package")
  file(REMOVE_RECURSE ${WORK})
  run(${CMAKE_COMMAND} -S ${EXAMPLES} -B ${WORK} -G ${GENERATOR}
      -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}
      -DCMAKE_C_COMPILER=${C_COMPILER}
      -DCMAKE_COMPILE_WARNING_AS_ERROR=ON
      -DCMAKE_PREFIX_PATH=${PREFIX}
      -DPKVMSIM_LIBRARY=${LIBRARY})
  run(${CMAKE_COMMAND} --build ${WORK})
  run_example(${WORK}/lifecycle)
  run_example(${WORK}/inspect)
  run_example(${WORK}/race)

elseif(STEP STREQUAL "pkg-config")
  build_with_pkg_config(${PREFIX} ${WORK})

elseif(STEP STREQUAL "deb")
  # cpack's .deb, unpacked as dpkg would (its tree under /usr), must hold
  # the package and serve the examples; dpkg itself would need root.
  file(REMOVE_RECURSE ${WORK})
  run(${CPACK} -G DEB --config ${BUILD_DIR}/CPackConfig.cmake -B ${WORK})
  file(GLOB deb ${WORK}/pkvmsim_*.deb)
  list(LENGTH deb nr)
  if(NOT nr EQUAL 1)
    message(FATAL_ERROR "package.cmake: cpack made ${nr} .deb files")
  endif()
  foreach(field Package:pkvmsim Version:${VERSION} Architecture:)
    string(REPLACE ":" ";" kv ${field})
    list(GET kv 0 key)
    execute_process(COMMAND ${DPKG_DEB} -f ${deb} ${key}
                    OUTPUT_VARIABLE value OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE status)
    list(LENGTH kv has_value)
    if(NOT status EQUAL 0 OR value STREQUAL "")
      message(FATAL_ERROR "package.cmake: ${deb} has no ${key} field")
    endif()
    if(has_value EQUAL 2)
      list(GET kv 1 want)
      if(NOT value STREQUAL want)
        message(FATAL_ERROR "package.cmake: ${key} is '${value}', not "
                            "'${want}'")
      endif()
    endif()
  endforeach()
  run(${DPKG_DEB} -x ${deb} ${WORK}/root)
  check_tree(${WORK}/root/usr)
  run(${WORK}/root/usr/bin/pkvmsim list)
  build_with_pkg_config(${WORK}/root/usr ${WORK}/pkg-config)

else()
  message(FATAL_ERROR "package.cmake: unknown STEP '${STEP}'")
endif()
