#include "services/grpc_log.h"

#include "common/log.h"
#include "grpc/support/log.h"

namespace agreements::services {
namespace {

void Forward(gpr_log_func_args* args) {
  logging::Level level = logging::Level::kDebug;
  if (args->severity == GPR_LOG_SEVERITY_ERROR) {
    level = logging::Level::kWarning;  // gRPC's errors are the peers' trouble, mostly
  } else if (args->severity == GPR_LOG_SEVERITY_INFO) {
    level = logging::Level::kInfo;
  }
  if (!logging::Enabled(level)) return;
  logging::Log(level, "grpc",
               {{"message", args->message != nullptr ? args->message : ""},
                {"file", args->file != nullptr ? args->file : ""},
                {"line", args->line}});
}

}  // namespace

void RouteGrpcLogs() { gpr_set_log_function(&Forward); }

}  // namespace agreements::services
