# SPDX-License-Identifier: GPL-2.0-only
# Each layer of src/ includes only its own headers and those of the layers
# below it (README.md, "Layers"): data flows top to bottom, never back up.
#
#   cmake -DSOURCE_DIR=<top of the tree> -P check_layers.cmake
#
# A quoted #include in src/<layer>/*.c or *.h is resolved as the compiler
# resolves it (the including file's directory first, then include/hyp/,
# include/ and each src/<layer>/) and fails the test, naming the file, the
# line and the include, if the header belongs to a higher layer, to no
# layer, or to more than one.  <...> includes are libc's, libbsd's, the
# public API's (include/pkvmsim/, for every layer) or, in src/hyp, the
# kernel dialect's, which build.hyp_rules checks.
cmake_minimum_required(VERSION 3.25)

# The layers, lowest first.  Layers in one entry (comma-separated) are one
# tier and may include each other's headers.  include/hyp/, the kernel
# dialect, belongs to the lowest tier: the hypervisor's own declarations,
# backed by src/env.  A new src/ directory must be placed here.
set(TIERS "hyp,env" sched check machine hvc host explore)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<top> -P check_layers.cmake")
endif()

set(rank 0)
set(known_layers "")
foreach(tier IN LISTS TIERS)
  string(REPLACE "," ";" layers "${tier}")
  foreach(layer IN LISTS layers)
    set(rank_of_${layer} ${rank})
    list(APPEND known_layers ${layer})
  endforeach()
  math(EXPR rank "${rank} + 1")
endforeach()
string(REPLACE ";" " < " order "${TIERS}")
string(REPLACE "," ", " order "${order}")

set(bad "")

# Every directory of src/ has its place in the order.
file(GLOB entries LIST_DIRECTORIES true RELATIVE ${SOURCE_DIR}/src
     ${SOURCE_DIR}/src/*)
foreach(entry IN LISTS entries)
  if(IS_DIRECTORY ${SOURCE_DIR}/src/${entry} AND
     NOT entry IN_LIST known_layers)
    string(APPEND bad "src/${entry}/: a layer not in the order of "
                      "tests/build/check_layers.cmake: place it there\n")
  endif()
endforeach()

# The layer a header at @path (absolute) belongs to, in @out (or "").
function(layer_of path out)
  file(RELATIVE_PATH rel ${SOURCE_DIR} ${path})
  if(rel MATCHES "^include/hyp/")
    set(${out} hyp PARENT_SCOPE)
  elseif(rel MATCHES "^include/pkvmsim/")
    set(${out} public PARENT_SCOPE)
  elseif(rel MATCHES "^src/([^/]+)/")
    set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# Where a quoted include may come from, after the including file's own
# directory (the build's -iquote and -I directories, and every layer's).
set(search_dirs ${SOURCE_DIR}/include/hyp ${SOURCE_DIR}/include)
foreach(layer IN LISTS known_layers)
  list(APPEND search_dirs ${SOURCE_DIR}/src/${layer})
endforeach()

set(nr_files 0)
set(nr_includes 0)
foreach(layer IN LISTS known_layers)
  file(GLOB sources ${SOURCE_DIR}/src/${layer}/*.c
                    ${SOURCE_DIR}/src/${layer}/*.h)
  list(SORT sources)
  foreach(src IN LISTS sources)
    math(EXPR nr_files "${nr_files} + 1")
    file(RELATIVE_PATH src_rel ${SOURCE_DIR} ${src})
    get_filename_component(src_dir ${src} DIRECTORY)
    file(STRINGS ${src} lines)
    set(n 0)
    foreach(line IN LISTS lines)
      math(EXPR n "${n} + 1")
      if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
        continue()
      endif()
      set(inc ${CMAKE_MATCH_1})
      math(EXPR nr_includes "${nr_includes} + 1")

      # The including file's directory first, as the compiler looks.
      set(found "")
      if(EXISTS ${src_dir}/${inc})
        set(found ${src_dir}/${inc})
      else()
        set(matches "")
        foreach(dir IN LISTS search_dirs)
          if(EXISTS ${dir}/${inc})
            list(APPEND matches ${dir}/${inc})
          endif()
        endforeach()
        list(LENGTH matches nr_matches)
        if(nr_matches EQUAL 1)
          set(found ${matches})
        elseif(nr_matches GREATER 1)
          string(REPLACE "${SOURCE_DIR}/" "" matches "${matches}")
          string(APPEND bad "${src_rel}:${n}: #include \"${inc}\" is "
                            "ambiguous: ${matches}\n")
          continue()
        else()
          string(APPEND bad "${src_rel}:${n}: #include \"${inc}\" is no "
                            "header of any layer\n")
          continue()
        endif()
      endif()

      layer_of(${found} to)
      if(to STREQUAL "public")
        continue()
      endif()
      if(NOT to OR NOT DEFINED rank_of_${to})
        file(RELATIVE_PATH found_rel ${SOURCE_DIR} ${found})
        string(APPEND bad "${src_rel}:${n}: #include \"${inc}\" "
                          "(${found_rel}) is no header of any layer\n")
        continue()
      endif()
      if(rank_of_${to} GREATER rank_of_${layer})
        file(RELATIVE_PATH found_rel ${SOURCE_DIR} ${found})
        string(APPEND bad "${src_rel}:${n}: #include \"${inc}\": "
                          "${layer} includes ${found_rel}, a header of "
                          "${to}, a layer above it\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(nr_files EQUAL 0)
  message(FATAL_ERROR "no sources found under ${SOURCE_DIR}/src")
endif()
if(bad)
  message(FATAL_ERROR "the layers, lowest first: ${order}\n${bad}")
endif()
message(STATUS "${nr_files} files, ${nr_includes} quoted includes: each "
               "layer includes only its own and lower layers' headers "
               "(${order})")
