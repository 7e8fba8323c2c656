# Warnings for our own code only (generated and third-party code gets none).
# -Werror is on in CI (the CI environment variable) or with -DSYNCLINE_WERROR=ON.
option(SYNCLINE_WERROR "Treat warnings as errors" OFF)
if(DEFINED ENV{CI})
  set(SYNCLINE_WERROR ON)
endif()

function(syncline_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Woverloaded-virtual
    -Wimplicit-fallthrough -Wformat=2 -Wmissing-declarations -Wundef)
  if(SYNCLINE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
