// CommandStream: one ExecuteBatchStream call (docs/api.md, "Streamed appends") on the
// gRPC callback API.
//
// Requests are read one at a time. Each is admitted as ExecuteBatch admits it: the
// stream's caller (authenticated when the stream opened, looked up again after a reload
// of the security files), the permissions of its commands, one call of the caller's
// rate per command; a caller over its rate is paced, not refused: the stream waits (an
// alarm, no thread) until the rate allows the request. Admitted requests go to the
// Committer in stream order. Each request gets one answer (its result, or its error:
// a failed request does not end the stream), kept in the request's place; answers are
// written in request order, one write in flight.
//
// Flow control: a request is in flight from the moment it is read until its answer has
// been written. At `max_in_flight` the stream stops reading (the client's sends then
// wait on HTTP/2 flow control) until a write completes. So one stream holds at most
// that many requests and answers, whether the committer or the client is slow.
//
// The stream ends with OK once the client has closed its side and every answer has
// been written; a cancelled call or a failed write drops the answers not yet written
// (the requests already submitted are still committed: their ids replay them).
//
// Ownership and threads: gRPC owns the reactor and it deletes itself in OnDone. It calls
// Finish only when no read, write, committer callback or pacing alarm is outstanding,
// so nothing can reach it after OnDone. Reactions run on gRPC threads, answers on the
// committer's responder thread, pacing on gRPC's timer executor: shared state is
// guarded by mu_, and no lock is held across StartRead, StartWrite, Finish or
// Committer::Submit (which may answer on the calling thread).
#ifndef AGREEMENTS_SERVICES_COMMAND_STREAM_H_
#define AGREEMENTS_SERVICES_COMMAND_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agreements/v1/command_service.pb.h"
#include "grpcpp/alarm.h"
#include "grpcpp/support/server_callback.h"
#include "services/access_control.h"
#include "store/committer.h"

namespace agreements::services {

struct CommandStreamOptions {
  // Most requests of one stream read and not yet answered (answer not yet written); at
  // the bound the stream stops reading. At least 1 (0 counts as 1). Server flag
  // --batch_stream_max_in_flight.
  // Default: 256.
  size_t max_in_flight = 256;
  // Called on each read, under the stream's lock, with the requests then in flight
  // (the one read included).
  // Default: none.
  std::function<void(size_t)> TEST_on_read;
};

class CommandStream final
    : public grpc::ServerBidiReactor<agreements::v1::ExecuteBatchStreamRequest,
                                     agreements::v1::ExecuteBatchStreamResponse> {
 public:
  // Authenticates the caller (the opening costs one call of its rate) and starts
  // reading; finishes at once with the error when the caller is refused, or holds
  // neither agreements.write nor parties.write (PERMISSION_DENIED naming
  // agreements.write). `committer` and `access` must outlive the call.
  CommandStream(grpc::CallbackServerContext* context, store::Committer* committer,
                AccessControl* access, const CommandStreamOptions& options);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // The longest single wait of a paced request: a cancelled call is noticed at least
  // this often.
  static constexpr absl::Duration kMaxPaceStep = absl::Seconds(1);

  // Admission runs on one thread at a time (admitting_ holds reads back meanwhile), so
  // the members it alone touches need no lock: caller_, generation_, paced_, alarm_.
  // Returns false when the request waits for the caller's rate (admission goes on in
  // OnPaced), true when it was answered or submitted.
  bool Admit(int64_t index, agreements::v1::ExecuteBatchRequest& batch);
  // The stream's caller as the security files in use now see it.
  absl::StatusOr<Caller> CurrentCaller();
  void Submit(int64_t index, const Caller& caller,
              agreements::v1::ExecuteBatchRequest& batch);
  void Pace(int64_t index, agreements::v1::ExecuteBatchRequest& batch,
            absl::Duration wait);
  void OnPaced();
  void EndAdmission();

  // Puts the answer of request `index` in its place; `from_committer` releases the
  // committer callback it came from.
  void Deliver(agreements::v1::ExecuteBatchStreamResponse answer, bool from_committer);
  // Decides under the lock what to start (write the next answer, read the next request,
  // finish) and starts it after releasing the lock.
  void Pump();

  store::Committer* const committer_;
  AccessControl* const access_;
  const CommandStreamOptions options_;

  // Admission state (see Admit).
  Caller opened_;
  absl::StatusOr<Caller> caller_;
  uint64_t generation_ = 0;
  int64_t paced_index_ = 0;
  agreements::v1::ExecuteBatchRequest paced_;
  std::unique_ptr<grpc::Alarm> alarm_;

  // Filled by StartRead; read only in OnReadDone.
  agreements::v1::ExecuteBatchStreamRequest incoming_;
  // The answer being written; untouched until OnWriteDone.
  agreements::v1::ExecuteBatchStreamResponse outgoing_;

  absl::Mutex mu_;
  // The index the next request read gets.
  int64_t next_index_ ABSL_GUARDED_BY(mu_) = 0;
  // The answers of the requests in flight and not being written, in request order
  // (empty until answered); the first is request first_index_.
  std::deque<std::optional<agreements::v1::ExecuteBatchStreamResponse>> answers_
      ABSL_GUARDED_BY(mu_);
  int64_t first_index_ ABSL_GUARDED_BY(mu_) = 0;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool admitting_ ABSL_GUARDED_BY(mu_) = false;
  // Committer callbacks and pacing alarms not yet run.
  int pending_ ABSL_GUARDED_BY(mu_) = 0;
  // The client closed its side (or the read failed): nothing more is read.
  bool read_closed_ ABSL_GUARDED_BY(mu_) = false;
  // The call was cancelled or a write failed: nothing more is written.
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_COMMAND_STREAM_H_
