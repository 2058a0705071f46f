// The seed corpus of domain_command_fuzz (domain/fuzz/command_corpus), written by the
// target itself: AGREEMENTS_FUZZ_WRITE_SEEDS=<dir> AGREEMENTS_FUZZ_DEMO=<jsonl>
// <target> (command_fuzz.cc). Test-only.
#ifndef AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_SEEDS_H_
#define AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_SEEDS_H_

#include <string>

namespace agreements::domain::fuzz {

// Writes into `dir`: mode-B programs that take agreements along each lifecycle path of
// the domain tests (TestRegistry::Reach) and through the treaty-practice scenarios of
// treaty_practice_test.cc and practice_rules_test.cc; and mode-A inputs: each command of
// the demo data (`demo_path`, JSON lines of ExecuteBatchRequest; none when empty) and
// the commands of the programs, each with the state it met (one per kind of command and
// status). Returns a process exit code: 0 on success.
int WriteSeeds(const std::string& dir, const std::string& demo_path);

}  // namespace agreements::domain::fuzz

#endif  // AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_SEEDS_H_
