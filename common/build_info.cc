#include "common/build_info.h"

#include "absl/base/config.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/common.h"
#include "grpcpp/grpcpp.h"
#include "openssl/crypto.h"
#include "rocksdb/version.h"

namespace agreements::build_info {
namespace generated {
extern const char kVersion[];
extern const char kCommit[];
extern const char kBuildType[];
}  // namespace generated

const char* Version() { return generated::kVersion; }
const char* Commit() { return generated::kCommit; }
const char* BuildType() { return generated::kBuildType; }

std::string VersionText(const std::string& program) {
  return absl::StrCat(program, " ", Version(), " (commit ", Commit(), ", ", BuildType(),
                      ")\n", "  gRPC ", grpc::Version(), "\n", "  Protocol Buffers ",
                      google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION),
                      "\n", "  RocksDB ", ROCKSDB_MAJOR, ".", ROCKSDB_MINOR, ".",
                      ROCKSDB_PATCH, "\n", "  abseil ", ABSL_LTS_RELEASE_VERSION, "\n",
                      "  OpenSSL ", OpenSSL_version(OPENSSL_VERSION), "\n");
}

}  // namespace agreements::build_info
