// The registries the command fuzzer's inputs start from: the parties every program
// names (kParties in command_fuzz_program.h), and for mode A also the parties of the demo
// data and two agreements. Test-only; built once, then only copied.
#ifndef AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_WORLD_H_
#define AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_WORLD_H_

#include "domain/fuzz/command_fuzz_registry.h"

namespace agreements::domain::fuzz {

// Registers the parties of kParties but p8.
void SetUpWorld(Registry& registry);

// The registry every program starts from, set up by SetUpWorld once.
const Registry& ProgramStart();

// The registry every mode-A input starts from, built once: SetUpWorld's parties, the
// parties of the demo data (samruk-energy, samsung, kz-forum-business,
// kr-forum-business) and two recorded agreements, a2 and a3, that relations and
// amendments may name.
const Registry& World();

}  // namespace agreements::domain::fuzz

#endif  // AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_WORLD_H_
