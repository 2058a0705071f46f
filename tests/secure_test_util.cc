#include "tests/secure_test_util.h"

#include <chrono>
#include <utility>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace agreements::testing {

CertAndKey Must(absl::StatusOr<CertAndKey> made) {
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? *std::move(made) : CertAndKey();
}

CertAndKey Leaf(const CertAndKey& ca, const std::string& cn,
                std::vector<std::string> sans, CertUsage usage, absl::Duration not_before,
                absl::Duration not_after) {
  LeafOptions options;
  options.common_name = cn;
  options.sans = std::move(sans);
  options.usage = usage;
  options.not_before_offset = not_before;
  options.not_after_offset = not_after;
  return Must(MakeLeaf(ca, options));
}

std::shared_ptr<grpc::Channel> PlaintextChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& target,
                                          const std::string& ca_pem,
                                          const CertAndKey* client) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ca_pem;
  if (client != nullptr) {
    ssl.pem_cert_chain = client->cert_pem;
    ssl.pem_private_key = client->key_pem;
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl), args);
}

std::unique_ptr<grpc::ClientContext> BearerContext(const std::string& token,
                                                   absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(timeout));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

std::optional<std::string> TrailingValue(const grpc::ClientContext& context,
                                         const std::string& key) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(key);
  if (it == trailers.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

}  // namespace agreements::testing
