// Helpers for store tests: temporary directories and valid commands.
#ifndef AGREEMENTS_STORE_STORE_TEST_UTIL_H_
#define AGREEMENTS_STORE_STORE_TEST_UTIL_H_

#include <string>
#include <vector>

#include "agreements/v1/events.pb.h"
#include "common/temp_dir.h"
#include "store/committer.h"

namespace agreements::store::testing {

agreements::v1::Command RegisterStateCommand(const std::string& id,
                                             const std::string& country);
// A bilateral binding agreement between two parties in the given registry sectors.
agreements::v1::Command RecordAgreementCommand(const std::string& id,
                                               const std::vector<std::string>& parties,
                                               const std::vector<std::string>& sectors);
// participant_signed on a DAY date.
agreements::v1::Command SignCommand(const std::string& agreement_id,
                                    const std::string& party_id);

CommitRequest Request(const std::string& request_id,
                      std::vector<agreements::v1::Command> commands);

// Waits (at most 10 s) until the committer's projection has applied every committed
// event; false if it did not.
bool WaitForViews(const Committer& committer);

}  // namespace agreements::store::testing

#endif  // AGREEMENTS_STORE_STORE_TEST_UTIL_H_
