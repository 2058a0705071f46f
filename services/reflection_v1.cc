#include "services/reflection_v1.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/health/v1/health.pb.h"

namespace agreements::services {
namespace {

namespace rv1 = ::grpc::reflection::v1;
using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

const DescriptorPool* Pool() {
  // The health protocol's messages are linked in, so its descriptor is in the pool even
  // though gRPC's own health service implements it.
  static const bool linked =
      grpc::health::v1::HealthCheckRequest::descriptor() != nullptr;
  (void)linked;
  return DescriptorPool::generated_pool();
}

// `file` and every file it imports, each once, the file first.
void AddFileAndImports(const FileDescriptor* file, std::set<std::string>* seen,
                       rv1::FileDescriptorResponse* out) {
  if (file == nullptr || !seen->insert(file->name()).second) return;
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  out->add_file_descriptor_proto(proto.SerializeAsString());
  for (int i = 0; i < file->dependency_count(); ++i) {
    AddFileAndImports(file->dependency(i), seen, out);
  }
}

void NotFound(const std::string& what, rv1::ServerReflectionResponse* response) {
  rv1::ErrorResponse* error = response->mutable_error_response();
  error->set_error_code(static_cast<int>(grpc::StatusCode::NOT_FOUND));
  error->set_error_message(absl::StrCat(what, " not found"));
}

void AnswerFile(const FileDescriptor* file, const std::string& what,
                rv1::ServerReflectionResponse* response) {
  if (file == nullptr) return NotFound(what, response);
  std::set<std::string> seen;
  AddFileAndImports(file, &seen, response->mutable_file_descriptor_response());
}

const FileDescriptor* FileOfExtension(const rv1::ExtensionRequest& request) {
  const auto* type = Pool()->FindMessageTypeByName(request.containing_type());
  if (type == nullptr) return nullptr;
  const auto* extension = Pool()->FindExtensionByNumber(type, request.extension_number());
  return extension == nullptr ? nullptr : extension->file();
}

void AnswerExtensionNumbers(const std::string& type_name,
                            rv1::ServerReflectionResponse* response) {
  const auto* type = Pool()->FindMessageTypeByName(type_name);
  if (type == nullptr) return NotFound(absl::StrCat("type ", type_name), response);
  std::vector<const google::protobuf::FieldDescriptor*> extensions;
  Pool()->FindAllExtensions(type, &extensions);
  rv1::ExtensionNumberResponse* numbers =
      response->mutable_all_extension_numbers_response();
  numbers->set_base_type_name(type_name);
  for (const auto* extension : extensions)
    numbers->add_extension_number(extension->number());
}

}  // namespace

ReflectionV1::ReflectionV1(std::vector<std::string> services)
    : services_(std::move(services)) {}

rv1::ServerReflectionResponse ReflectionV1::Answer(
    const rv1::ServerReflectionRequest& request) const {
  rv1::ServerReflectionResponse response;
  response.set_valid_host(request.host());
  *response.mutable_original_request() = request;
  switch (request.message_request_case()) {
    case rv1::ServerReflectionRequest::kFileByFilename:
      AnswerFile(Pool()->FindFileByName(request.file_by_filename()),
                 absl::StrCat("file ", request.file_by_filename()), &response);
      break;
    case rv1::ServerReflectionRequest::kFileContainingSymbol:
      AnswerFile(Pool()->FindFileContainingSymbol(request.file_containing_symbol()),
                 absl::StrCat("symbol ", request.file_containing_symbol()), &response);
      break;
    case rv1::ServerReflectionRequest::kFileContainingExtension:
      AnswerFile(FileOfExtension(request.file_containing_extension()),
                 absl::StrCat(
                     "extension ", request.file_containing_extension().extension_number(),
                     " of ", request.file_containing_extension().containing_type()),
                 &response);
      break;
    case rv1::ServerReflectionRequest::kAllExtensionNumbersOfType:
      AnswerExtensionNumbers(request.all_extension_numbers_of_type(), &response);
      break;
    case rv1::ServerReflectionRequest::kListServices:
      for (const std::string& name : services_) {
        response.mutable_list_services_response()->add_service()->set_name(name);
      }
      break;
    default: {
      rv1::ErrorResponse* error = response.mutable_error_response();
      error->set_error_code(static_cast<int>(grpc::StatusCode::UNIMPLEMENTED));
      error->set_error_message("the request names no known question");
    }
  }
  return response;
}

grpc::Status ReflectionV1::ServerReflectionInfo(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<rv1::ServerReflectionResponse, rv1::ServerReflectionRequest>*
        stream) {
  rv1::ServerReflectionRequest request;
  while (stream->Read(&request)) {
    if (!stream->Write(Answer(request))) break;
  }
  return grpc::Status::OK;
}

}  // namespace agreements::services
