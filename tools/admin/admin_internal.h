// Helpers shared by agreements-admin's commands.
#ifndef AGREEMENTS_TOOLS_ADMIN_ADMIN_INTERNAL_H_
#define AGREEMENTS_TOOLS_ADMIN_ADMIN_INTERNAL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/store.h"
#include "tools/admin/admin_commands.h"

namespace agreements::admin {

// Prints "error: <status>" on stderr and returns `code`.
int Fail(const absl::Status& status, int code);
// Prints the usage with `problem` on stderr and returns 1.
int Usage(const std::string& problem);
// Opens a data directory that must exist.
absl::StatusOr<std::unique_ptr<store::Store>> OpenExisting(const std::string& data_dir);
// The checks of `rebuild` and `verify` on an open store (their exit codes).
int RebuildStore(store::Store* store, bool repair, bool replace);
int VerifyStore(store::Store* store, const std::string& verifier_key);
// --verifier_key, else the key of --signing_key, else of `default_key_file`.
absl::StatusOr<std::string> VerifierKeyOf(const AdminArgs& args,
                                          const std::string& default_key_file);

}  // namespace agreements::admin

#endif  // AGREEMENTS_TOOLS_ADMIN_ADMIN_INTERNAL_H_
