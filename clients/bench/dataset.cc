// Dataset: a fresh data directory, the server serving it, and the stubs.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "clients/bench/bench.h"
#include "common/sha256.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace agreements::bench {
namespace {

std::atomic<int> channel_counter{0};

}  // namespace

Dataset::Dataset(const BenchConfig& config, const DataGenerator& generator,
                 std::string dir)
    : config_(config), generator_(generator), dir_(std::move(dir)) {}

absl::StatusOr<std::unique_ptr<Dataset>> Dataset::Create(const BenchConfig& config,
                                                         const DataGenerator& generator,
                                                         const std::string& name,
                                                         const DatasetOptions& options) {
  const std::string dir = absl::StrCat(config.work_dir, "/", name, "-", getpid());
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  std::filesystem::create_directories(dir + "/data", error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create ", dir, ": ", error.message()));
  }
  std::unique_ptr<Dataset> dataset(new Dataset(config, generator, dir));
  absl::StatusOr<std::vector<std::string>> server_args =
      dataset->WriteTokenFile(options.tokens);
  if (!server_args.ok()) return server_args.status();
  server_args->insert(server_args->end(), options.server_args.begin(),
                      options.server_args.end());
  dataset->set_token(options.token);
  dataset->server_ = std::make_unique<ServerProcess>(
      config.server_bin, dir + "/data", dir + "/server.log", *std::move(server_args));
  if (absl::Status s = dataset->StartServer(); !s.ok()) return s;
  if (absl::Status s = dataset->RegisterParties(); !s.ok()) return s;
  return dataset;
}

absl::StatusOr<std::vector<std::string>> Dataset::WriteTokenFile(
    const std::vector<TokenGrant>& tokens) const {
  if (tokens.empty()) return std::vector<std::string>();
  // The server keeps digests only (docs/security.md, "Token file").
  const std::string path = dir_ + "/tokens";
  std::ofstream out(path, std::ios::trunc);
  out << "# sha256:<SHA-256 of the token> <principal> <grant>\n";
  for (const TokenGrant& t : tokens) {
    out << "sha256:" << DigestHex(Sha256::Hash(t.token)) << " " << t.principal << " "
        << t.grant << "\n";
  }
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return std::vector<std::string>{"--tokens=" + path};
}

Dataset::~Dataset() {
  commands_.reset();
  queries_.reset();
  feeds_.reset();
  audit_.reset();
  channel_.reset();
  if (server_ != nullptr && server_->running()) {
    absl::Status s = server_->Stop();
    if (!s.ok())
      std::fprintf(stderr, "bench: stopping the server: %s\n", s.ToString().c_str());
  }
  if (!config_.keep) {
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
  } else {
    std::fprintf(stderr, "bench: kept %s\n", dir_.c_str());
  }
}

absl::Status Dataset::StopServer() {
  commands_.reset();
  queries_.reset();
  feeds_.reset();
  audit_.reset();
  channel_.reset();
  return server_->Stop();
}

absl::Status Dataset::StartServer() {
  if (absl::Status s = server_->Start(); !s.ok()) return s;
  return Connect();
}

std::shared_ptr<grpc::Channel> Dataset::NewChannel(bool distinct) const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  if (distinct) {
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("agreements.bench.channel", channel_counter.fetch_add(1));
  }
  return grpc::CreateCustomChannel(server_->target(), grpc::InsecureChannelCredentials(),
                                   args);
}

absl::Status Dataset::Connect() {
  channel_ = NewChannel(/*distinct=*/true);
  if (!channel_->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(30)))) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to the server at ", server_->target()));
  }
  commands_ = v1::CommandService::NewStub(channel_);
  queries_ = v1::QueryService::NewStub(channel_);
  feeds_ = v1::FeedService::NewStub(channel_);
  audit_ = v1::AuditService::NewStub(channel_);
  return absl::OkStatus();
}

void Dataset::Prepare(grpc::ClientContext& context) const {
  Prepare(context, config_.call_timeout);
}

void Dataset::Prepare(grpc::ClientContext& context, absl::Duration timeout) const {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!authorization_.empty()) context.AddMetadata("authorization", authorization_);
}

void Dataset::set_token(const std::string& token) {
  authorization_ = token.empty() ? std::string() : absl::StrCat("Bearer ", token);
}

std::string Dataset::NextRequestId() {
  return absl::StrCat("bench-", config_.seed, "-", next_request_.fetch_add(1));
}

void Dataset::NotePosition(uint64_t position) {
  uint64_t seen = head_.load();
  while (position > seen && !head_.compare_exchange_weak(seen, position)) {
  }
}

absl::Status Dataset::RegisterParties() {
  const auto& parties = generator_.parties();
  for (size_t first = 0; first < parties.size(); first += 100) {
    v1::ExecuteBatchRequest request;
    request.mutable_context()->set_request_id(NextRequestId());
    for (size_t k = first; k < parties.size() && k < first + 100; ++k) {
      v1::Command* command = request.add_commands();
      command->set_stream_type(v1::STREAM_TYPE_PARTY);
      command->set_stream_id(parties[k].id());
      *command->mutable_change()->mutable_party_registered()->mutable_party() =
          parties[k];
    }
    grpc::ClientContext context;
    Prepare(context);
    v1::ExecuteBatchResponse response;
    const grpc::Status status = commands_->ExecuteBatch(&context, request, &response);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat("registering parties: ", status.error_message()));
    }
    NotePosition(response.result().last_position());
  }
  return absl::OkStatus();
}

}  // namespace agreements::bench
