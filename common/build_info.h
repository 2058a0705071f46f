// What this binary is: the project version (CMake), the git commit it was built from,
// the build type, and the versions of the libraries it links. For --version and the
// agreements_build_info metric.
#ifndef AGREEMENTS_COMMON_BUILD_INFO_H_
#define AGREEMENTS_COMMON_BUILD_INFO_H_

#include <string>

namespace agreements::build_info {

// e.g. "0.14.0".
const char* Version();
// The commit's short hash, with "-dirty" when the tree had changes; "unknown" outside
// a git checkout.
const char* Commit();
// CMAKE_BUILD_TYPE, e.g. "RelWithDebInfo".
const char* BuildType();
// "<program> <version> (commit <commit>, <build type>)" and a line per library:
// gRPC, Protocol Buffers, RocksDB, abseil, OpenSSL.
std::string VersionText(const std::string& program);

}  // namespace agreements::build_info

#endif  // AGREEMENTS_COMMON_BUILD_INFO_H_
