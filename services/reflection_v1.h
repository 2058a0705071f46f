// ReflectionV1: the gRPC server reflection protocol version 1 (grpc.reflection.v1),
// which gRPC 1.51's C++ library does not serve (it has v1alpha only). It answers from
// the descriptors compiled into the server (the registry's protos, health, reflection),
// like v1alpha does, so tools that ask for v1 first find every service and message.
#ifndef AGREEMENTS_SERVICES_REFLECTION_V1_H_
#define AGREEMENTS_SERVICES_REFLECTION_V1_H_

#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"

namespace agreements::services {

class ReflectionV1 final : public grpc::reflection::v1::ServerReflection::Service {
 public:
  // `services`: the full names of the services the server serves (list_services).
  explicit ReflectionV1(std::vector<std::string> services);

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                               grpc::reflection::v1::ServerReflectionRequest>* stream)
      override;

  // The answer to one question (exposed for tests).
  grpc::reflection::v1::ServerReflectionResponse Answer(
      const grpc::reflection::v1::ServerReflectionRequest& request) const;

 private:
  const std::vector<std::string> services_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_REFLECTION_V1_H_
