// BatchStream: one CommandService.ExecuteBatchStream call (docs/api.md, "Streamed
// appends"), for producers and bulk loads. One thread sends ExecuteBatch requests while
// another receives their answers: one per request, in the order sent, each carrying the
// request's result or its error (a failed request does not end the stream). The server
// reads a bounded number of requests ahead of its answers, so Send blocks while the
// server is that far behind, and a sender never runs away from a slow server.
//
// A call has no overall deadline, but while requests are unanswered the next answer must
// come within RegistryClientOptions::call_timeout: otherwise the call is cancelled and
// Finish returns DEADLINE_EXCEEDED. Requests whose answers were not received may or may
// not have been committed; sending them again with the same request ids is safe (the
// server replays what it committed).
//
// Thread-safety: Send and CloseSend from one thread at a time, Receive and Finish from
// one thread at a time (it may be another one); Cancel from any thread. Created by
// RegistryClient::OpenBatchStream and owned by its caller; the RegistryClient must
// outlive it. Destroying it cancels an unfinished call; no thread may be in Send or
// Receive then.
#ifndef AGREEMENTS_CLIENTS_BATCH_STREAM_H_
#define AGREEMENTS_CLIENTS_BATCH_STREAM_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"

namespace agreements::client {

// Trailing metadata naming the writer when a replica refuses a write (cluster mode,
// docs/cluster.md).
inline constexpr char kWriterMetadata[] = "agreements-writer";

class BatchStream {
 public:
  BatchStream(const BatchStream&) = delete;
  BatchStream& operator=(const BatchStream&) = delete;
  ~BatchStream();

  // Sends one request (its response_view defaults to RESPONSE_VIEW_RESULT_ONLY on a
  // stream). Blocks while the server holds the stream back. False when the stream is
  // broken: Receive then drains the answers that came, and Finish says why.
  bool Send(const agreements::v1::ExecuteBatchRequest& batch);
  // No more requests: the server ends the stream once it has answered those sent.
  bool CloseSend();
  // The next answer, in request order; false when no more will come (then Finish).
  bool Receive(agreements::v1::ExecuteBatchStreamResponse& answer);
  // After Receive returned false: OK when the stream ended normally, otherwise why it
  // broke (DEADLINE_EXCEEDED when an answer took longer than call_timeout).
  absl::Status Finish();
  // Ends the call now; requests already sent may still be committed.
  void Cancel();

  // After Finish: the writer a replica named when it refused the stream ("" when none).
  std::string writer() const;

 private:
  friend class RegistryClient;
  using Stream = grpc::ClientReaderWriter<agreements::v1::ExecuteBatchStreamRequest,
                                          agreements::v1::ExecuteBatchStreamResponse>;

  // `prepare` adds the authorization header to the fresh context.
  BatchStream(agreements::v1::CommandService::Stub& stub, absl::Duration answer_timeout,
              const std::function<void(grpc::ClientContext&)>& prepare);

  // The watchdog thread: cancels the call when answers are overdue.
  void Watch();

  const absl::Duration answer_timeout_;
  grpc::ClientContext context_;
  std::unique_ptr<Stream> stream_;

  absl::Mutex mu_;
  int64_t sent_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t received_ ABSL_GUARDED_BY(mu_) = 0;
  // The last answer, or the send that found nothing outstanding: while requests are
  // unanswered, the next answer is due answer_timeout_ after it.
  absl::Time waiting_since_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool timed_out_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ = false;
  std::thread watchdog_;
};

}  // namespace agreements::client

#endif  // AGREEMENTS_CLIENTS_BATCH_STREAM_H_
