// CommandService: the gRPC adapter of the write side. Turns each RPC into a
// store::CommitRequest, submits it to the Committer and answers when the group holding it
// is durable, with the authenticated caller as the actor. ExecuteBatchStream runs many
// such requests on one stream (services/command_stream.h). Uses the callback API: no
// gRPC thread ever waits for a commit.
//
// Thread-safe. Does not own the Committer, which must outlive the gRPC server.
#ifndef AGREEMENTS_SERVICES_COMMAND_SERVICE_H_
#define AGREEMENTS_SERVICES_COMMAND_SERVICE_H_

#include <utility>

#include "agreements/v1/command_service.grpc.pb.h"
#include "services/access_control.h"
#include "services/command_stream.h"
#include "store/committer.h"

namespace agreements::services {

// Trailing metadata of a write refused by a replica: the writer's gRPC address, which
// clients follow (docs/cluster.md).
inline constexpr char kWriterMetadata[] = "agreements-writer";

class CommandService final : public agreements::v1::CommandService::CallbackService {
 public:
  // Agreement commands need agreements.write (within the caller's sectors), party
  // commands parties.write; the actor of every event is the authenticated principal.
  // `access` must outlive the committer's answers.
  CommandService(store::Committer* committer, AccessControl* access,
                 CommandStreamOptions stream_options = {})
      : committer_(committer),
        access_(access),
        stream_options_(std::move(stream_options)) {}

  grpc::ServerUnaryReactor* RecordAgreement(
      grpc::CallbackServerContext* context,
      const agreements::v1::RecordAgreementRequest* request,
      agreements::v1::RecordAgreementResponse* response) override;
  grpc::ServerUnaryReactor* ApplyAgreementChange(
      grpc::CallbackServerContext* context,
      const agreements::v1::ApplyAgreementChangeRequest* request,
      agreements::v1::ApplyAgreementChangeResponse* response) override;
  grpc::ServerUnaryReactor* RegisterParty(
      grpc::CallbackServerContext* context,
      const agreements::v1::RegisterPartyRequest* request,
      agreements::v1::RegisterPartyResponse* response) override;
  grpc::ServerUnaryReactor* UpdateParty(
      grpc::CallbackServerContext* context,
      const agreements::v1::UpdatePartyRequest* request,
      agreements::v1::UpdatePartyResponse* response) override;
  grpc::ServerUnaryReactor* ExecuteBatch(
      grpc::CallbackServerContext* context,
      const agreements::v1::ExecuteBatchRequest* request,
      agreements::v1::ExecuteBatchResponse* response) override;
  grpc::ServerBidiReactor<agreements::v1::ExecuteBatchStreamRequest,
                          agreements::v1::ExecuteBatchStreamResponse>*
  ExecuteBatchStream(grpc::CallbackServerContext* context) override;

 private:
  store::Committer* const committer_;
  AccessControl* const access_;
  const CommandStreamOptions stream_options_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_COMMAND_SERVICE_H_
