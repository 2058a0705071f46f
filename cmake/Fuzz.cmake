# Fuzz targets (docs/fuzzing.md). Each target is one source file beside the code it tests
# with LLVMFuzzerTestOneInput, and a committed seed corpus in a folder beside it.
#
# -DAGREEMENTS_FUZZ=ON with clang (build-fuzz/, `make fuzz`): every target is built with
# -fsanitize=fuzzer,address,undefined (the libraries with fuzzer-no-link, address and
# undefined) and `fuzz_targets` builds them all.
# Otherwise (the normal g++ build): each target is linked with tools/fuzz/replay_main.cc
# as <name>_replay and ctest runs it over its corpus (label fuzz-replay).
option(AGREEMENTS_FUZZ "Build the libFuzzer targets with sanitizers (clang only)" OFF)

if(AGREEMENTS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AGREEMENTS_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++-14)")
  endif()
  add_compile_options(-fsanitize=address,undefined -fsanitize=fuzzer-no-link
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

add_custom_target(fuzz_targets)
set(AGREEMENTS_FUZZ_LIST ${CMAKE_BINARY_DIR}/fuzz-targets.txt)
file(WRITE ${AGREEMENTS_FUZZ_LIST} "")

# agreements_fuzz_target(<name> SOURCES <files> LIBS <libraries> CORPUS <dir>
#                        [FLAGS <libFuzzer flags>])
# FLAGS are passed to the target by `make fuzz` (tools/fuzz/run-fuzz.sh), e.g.
# -entropic=0 where the entropic power schedule costs more than it finds.
function(agreements_fuzz_target name)
  cmake_parse_arguments(FUZZ "" "CORPUS" "SOURCES;LIBS;FLAGS" ${ARGN})
  if(AGREEMENTS_FUZZ)
    add_executable(${name} ${FUZZ_SOURCES})
    target_link_libraries(${name} PRIVATE ${FUZZ_LIBS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_dependencies(fuzz_targets ${name})
  else()
    add_executable(${name}_replay ${FUZZ_SOURCES}
                   ${PROJECT_SOURCE_DIR}/tools/fuzz/replay_main.cc)
    target_link_libraries(${name}_replay PRIVATE ${FUZZ_LIBS})
    add_test(NAME fuzz_replay_${name} COMMAND ${name}_replay ${FUZZ_CORPUS})
    set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS fuzz-replay TIMEOUT 300)
  endif()
  list(JOIN FUZZ_FLAGS " " flags)
  file(APPEND ${AGREEMENTS_FUZZ_LIST} "${name} ${FUZZ_CORPUS} ${flags}\n")
endfunction()
