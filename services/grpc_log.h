// gRPC's own log lines (a failed TLS handshake, a bad connection) sent to the process's
// log (common/log.h), so stderr stays one stream of records of one format.
#ifndef AGREEMENTS_SERVICES_GRPC_LOG_H_
#define AGREEMENTS_SERVICES_GRPC_LOG_H_

namespace agreements::services {

// Call once, after logging::Configure and before gRPC starts.
void RouteGrpcLogs();

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_GRPC_LOG_H_
