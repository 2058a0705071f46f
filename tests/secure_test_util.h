// Helpers of the end-to-end tests against a server with TLS, tokens and a policy
// (security_test.cc, limits_test.cc): certificates that must be made, channels with a
// connection of their own, and call contexts carrying a bearer token.
#ifndef AGREEMENTS_TESTS_SECURE_TEST_UTIL_H_
#define AGREEMENTS_TESTS_SECURE_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "tests/test_certs.h"

namespace agreements::testing {

// The certificate, or an empty one after failing the current test.
CertAndKey Must(absl::StatusOr<CertAndKey> made);

// A leaf of `ca` with subject CN `cn` and the subject alternative names `sans`
// ("DNS:localhost", "URI:spiffe://registry/alice"), valid from `not_before` to
// `not_after` relative to now.
CertAndKey Leaf(const CertAndKey& ca, const std::string& cn,
                std::vector<std::string> sans, CertUsage usage,
                absl::Duration not_before = -absl::Hours(1),
                absl::Duration not_after = absl::Hours(24));

// Channels to `target` ("127.0.0.1:PORT") that do not share a connection with other
// channels: plaintext, or TLS trusting `ca_pem`, with `client`'s certificate if given.
std::shared_ptr<grpc::Channel> PlaintextChannel(const std::string& target);
std::shared_ptr<grpc::Channel> TlsChannel(const std::string& target,
                                          const std::string& ca_pem,
                                          const CertAndKey* client = nullptr);

// A call context with a deadline `timeout` from now and, unless `token` is empty, the
// header "authorization: Bearer <token>".
std::unique_ptr<grpc::ClientContext> BearerContext(
    const std::string& token, absl::Duration timeout = absl::Seconds(5));

// The value of the trailing metadata `key` of a finished call, if any.
std::optional<std::string> TrailingValue(const grpc::ClientContext& context,
                                         const std::string& key);

}  // namespace agreements::testing

#endif  // AGREEMENTS_TESTS_SECURE_TEST_UTIL_H_
