# Every dependency comes from Debian 12's archive (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(doctest REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(simdjson REQUIRED)
find_package(CLI11 QUIET)
find_package(antlr4-runtime REQUIRED)
find_package(LLVM 19.1 REQUIRED CONFIG HINTS /usr/lib/llvm-19/lib/cmake/llvm)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n)
find_package(tomlplusplus QUIET)

find_program(ANTLR4_TOOL antlr4 REQUIRED)
find_program(PYTHON3 python3 REQUIRED)

# CLI11 headers are plain headers in Debian; wrap them in a target either way.
if(NOT TARGET CLI11::CLI11)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
endif()
if(NOT TARGET tomlplusplus::tomlplusplus)
  add_library(tomlplusplus::tomlplusplus INTERFACE IMPORTED)
endif()

# ANTLR's runtime as an imported target with its include directory.
if(NOT TARGET syncline_antlr4_runtime)
  add_library(syncline_antlr4_runtime INTERFACE)
  target_include_directories(syncline_antlr4_runtime SYSTEM INTERFACE ${ANTLR4_INCLUDE_DIR})
  target_link_libraries(syncline_antlr4_runtime INTERFACE antlr4_shared)
endif()
