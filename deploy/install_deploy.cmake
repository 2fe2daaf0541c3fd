# Run by `cmake --install` (deploy/CMakeLists.txt says what goes where). CMAKE_INSTALL_PREFIX is the install-time
# prefix; DESTDIR, when set, is prepended to every path written, not to the paths the unit names.
set(prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr" OR prefix STREQUAL "/usr/local")
  set(etc "/etc/vigie")
else()
  set(etc "${prefix}/etc/vigie")
endif()
set(dest "$ENV{DESTDIR}")

file(READ "${VIGIE_DEPLOY_DIR}/systemd/vigie.service" unit)
string(REPLACE "/usr/local/bin/vigie" "${prefix}/bin/vigie" unit "${unit}")
string(REPLACE "/etc/vigie/" "${etc}/" unit "${unit}")
if(NOT etc STREQUAL "/etc/vigie")  # ConfigurationDirectory= can only name a folder of /etc
  string(REPLACE "ConfigurationDirectory=vigie\n" "" unit "${unit}")
  string(REPLACE "ConfigurationDirectoryMode=0750\n" "" unit "${unit}")
endif()
set(unit_dir "${dest}${prefix}/lib/systemd/system")
message(STATUS "Installing: ${unit_dir}/vigie.service")
file(MAKE_DIRECTORY "${unit_dir}")
file(WRITE "${unit_dir}/vigie.service" "${unit}")

file(INSTALL "${VIGIE_DEPLOY_DIR}/systemd/vigie.sysusers" DESTINATION "${dest}${prefix}/lib/sysusers.d"
     RENAME vigie.conf)
file(INSTALL "${VIGIE_DEPLOY_DIR}/vigie.example.yaml" "${VIGIE_DEPLOY_DIR}/systemd/vigie.env.example"
     DESTINATION "${dest}${etc}")
# The config and rules in force are the administrator's: written once, never overwritten.
foreach(pair "vigie.example.yaml=vigie.yaml" "demo/rules.yaml=demo/rules.yaml")
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  if(EXISTS "${dest}${etc}/${to}")
    message(STATUS "Keeping: ${dest}${etc}/${to}")
  else()
    get_filename_component(dir "${dest}${etc}/${to}" DIRECTORY)
    get_filename_component(name "${to}" NAME)
    file(INSTALL "${VIGIE_DEPLOY_DIR}/${from}" DESTINATION "${dir}" RENAME "${name}")
  endif()
endforeach()
