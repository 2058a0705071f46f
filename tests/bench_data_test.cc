// The bench's generated data must be data the registry accepts: every party and agreement
// passes ValidateCommand, so that a rule of the domain that the generator breaks fails
// here rather than in a benchmark run.
#include "clients/bench/datagen.h"
#include "domain/decider.h"
#include "gtest/gtest.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;

TEST(BenchDataTest, GeneratedPartiesAndAgreementsAreValid) {
  const bench::DataGenerator generator(/*seed=*/42, /*party_count=*/200,
                                       /*agreement_bytes=*/1024);
  for (const v1::Party& party : generator.parties()) {
    v1::Command command;
    command.set_stream_type(v1::STREAM_TYPE_PARTY);
    command.set_stream_id(party.id());
    *command.mutable_change()->mutable_party_registered()->mutable_party() = party;
    const absl::Status status = domain::ValidateCommand(command);
    EXPECT_TRUE(status.ok()) << party.id() << ": " << status;
  }
  int depositaries = 0;
  for (int64_t i = 0; i < 2000; ++i) {
    v1::Command command;
    command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
    *command.mutable_change()->mutable_agreement_recorded() = generator.Agreement(i);
    command.set_stream_id(command.change().agreement_recorded().agreement().id());
    const absl::Status status = domain::ValidateCommand(command);
    ASSERT_TRUE(status.ok()) << "agreement " << i << ": " << status;
    depositaries += command.change().agreement_recorded().agreement().depositaries_size();
  }
  EXPECT_GT(depositaries, 0) << "multilateral treaties name their depositary";
}

}  // namespace
}  // namespace agreements
