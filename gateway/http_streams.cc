// Routes that stream: server-sent events from the feed and the sector views, and the
// exports (every page of a list, or the feed up to its head, as CSV or JSON Lines).
#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agreements/v1/feed_service.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "gateway/export_rows.h"
#include "gateway/gateway_internal.h"
#include "gateway/http_errors.h"
#include "gateway/sse.h"

namespace agreements::gateway {
namespace {

namespace v1 = ::agreements::v1;
using google::protobuf::Message;

// How long a stream waits for its first message before it sends its headers: an error
// that ends the call at once (a missing permission, a bad filter) is then answered with
// its own HTTP status.
constexpr absl::Duration kFirstMessageWait = absl::Seconds(5);
// How long one provider call waits for a message, so that Stop and dead connections are
// noticed within about this long.
constexpr absl::Duration kPoll = absl::Seconds(1);

// Counts an open stream for as long as it lives; answers 503 beyond the limit.
struct StreamSlot {
  static std::shared_ptr<StreamSlot> Take(const std::shared_ptr<GatewayShared>& shared,
                                          httplib::Response& response) {
    if (shared->streams.fetch_add(1) >= shared->options.max_streams) {
      shared->streams.fetch_sub(1);
      response.set_header("Retry-After", "1");
      WriteError(response, grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                        absl::StrCat("the HTTP listener has ",
                                                     shared->options.max_streams,
                                                     " streams open, its limit; retry "
                                                     "later")));
      return nullptr;
    }
    auto slot = std::make_shared<StreamSlot>();
    slot->shared = shared;
    return slot;
  }
  ~StreamSlot() { shared->streams.fetch_sub(1); }
  std::shared_ptr<GatewayShared> shared;
};

// Last-Event-ID resumes after that position: Subscribe from the next position,
// WatchSector after it.
absl::Status ApplyResume(const httplib::Request& request, Message& rpc_request) {
  const std::string header = request.get_header_value("Last-Event-ID");
  if (header.empty()) return absl::OkStatus();
  uint64_t position = 0;
  if (!absl::SimpleAtoi(header, &position) || position == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Last-Event-ID: expected a position the stream sent as an id (got \"", header,
        "\")"));
  }
  if (auto* subscribe = dynamic_cast<v1::SubscribeRequest*>(&rpc_request)) {
    subscribe->set_from_position(position + 1);
  } else if (auto* watch = dynamic_cast<v1::WatchSectorRequest*>(&rpc_request)) {
    watch->set_resume_after(position);
  }
  return absl::OkStatus();
}

struct EventStreamState {
  std::shared_ptr<StreamSlot> slot;
  std::unique_ptr<StreamCall> call;
  const google::protobuf::Descriptor* type = nullptr;
  std::unique_ptr<Message> pending;
  absl::Time last_write = absl::Now();
  absl::Duration keepalive;
};

bool ProvideEvents(EventStreamState& state, httplib::DataSink& sink) {
  if (state.pending != nullptr) {
    const std::string frame = SseFrame(*state.pending);
    state.pending.reset();
    if (!frame.empty() && !sink.write(frame.data(), frame.size())) return false;
    state.last_write = absl::Now();
    return true;
  }
  std::unique_ptr<Message> message = NewMessage(*state.type);
  switch (state.call->Read(*message, kPoll)) {
    case StreamCall::Next::kMessage: {
      const std::string frame = SseFrame(*message);
      if (frame.empty()) return true;
      state.last_write = absl::Now();
      return sink.write(frame.data(), frame.size());
    }
    case StreamCall::Next::kTimeout: {
      if (absl::Now() - state.last_write < state.keepalive) return true;
      state.last_write = absl::Now();
      static constexpr char kComment[] = ": keepalive\n\n";
      return sink.write(kComment, sizeof(kComment) - 1);
    }
    case StreamCall::Next::kEnd: {
      const CallOutcome outcome = state.call->outcome();
      if (!outcome.status.ok()) {
        const std::string frame = SseErrorFrame(ErrorJson(outcome.status));
        sink.write(frame.data(), frame.size());
      }
      sink.done();
      return true;
    }
  }
  return false;
}

// Starts `call`, reads its first message (or its end), and answers the error as JSON
// when the call ended at once. Returns the first message, or null after an error.
std::unique_ptr<Message> FirstMessage(StreamCall& call,
                                      const google::protobuf::MethodDescriptor& method,
                                      httplib::Response& response, bool* ended) {
  std::unique_ptr<Message> first = NewMessage(*method.output_type());
  const StreamCall::Next next = call.Read(*first, kFirstMessageWait);
  *ended = next == StreamCall::Next::kEnd;
  if (*ended && !call.outcome().status.ok()) {
    WriteError(response, call.outcome());
    return nullptr;
  }
  if (next != StreamCall::Next::kMessage) first.reset();
  return first;
}

}  // namespace

void ServeEventStream(const std::shared_ptr<GatewayShared>& shared, BoundCall& call,
                      const httplib::Request& request, httplib::Response& response) {
  if (absl::Status resume = ApplyResume(request, *call.request); !resume.ok()) {
    WriteError(response, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                      std::string(resume.message())));
    return;
  }
  auto state = std::make_shared<EventStreamState>();
  state->slot = StreamSlot::Take(shared, response);
  if (state->slot == nullptr) return;
  state->call = std::make_unique<StreamCall>(shared->stub, *call.method, *call.request,
                                             call.metadata);
  state->type = call.method->output_type();
  state->keepalive = shared->options.keepalive;
  bool ended = false;
  state->pending = FirstMessage(*state->call, *call.method, response, &ended);
  if (state->pending == nullptr && ended) return;
  response.set_header("Cache-Control", "no-cache");
  response.set_header("X-Accel-Buffering", "no");
  response.set_chunked_content_provider(
      // Exactly this type: cpp-httplib compresses other text/* answers, which would hold
      // events back in the compressor.
      "text/event-stream",
      [state](size_t, httplib::DataSink& sink) { return ProvideEvents(*state, sink); },
      [state](bool) { state->call->Cancel(); });
}

namespace {

struct ExportState {
  std::shared_ptr<StreamSlot> slot;
  std::shared_ptr<GatewayShared> shared;
  const Route* route = nullptr;
  const google::protobuf::MethodDescriptor* method = nullptr;
  CallMetadata metadata;
  bool header_written = false;
  // List exports: the request (its page token advances) and the page to write.
  std::unique_ptr<v1::ListAgreementsRequest> list;
  std::unique_ptr<v1::ListAgreementsResponse> page;
  // Event exports.
  std::unique_ptr<StreamCall> feed;
  std::unique_ptr<Message> pending;
};

// Writes the page, then fetches the next; false when a later page fails (the response
// then ends without its last chunk, so the client sees it incomplete).
bool ProvideListRows(ExportState& state, httplib::DataSink& sink) {
  std::string lines;
  for (const v1::Agreement& agreement : state.page->agreements()) {
    absl::StrAppend(&lines,
                    AgreementLines(agreement, state.route->rows, state.route->format));
  }
  if (!lines.empty() && !sink.write(lines.data(), lines.size())) return false;
  if (state.page->next_page_token().empty()) {
    sink.done();
    return true;
  }
  state.list->set_page_token(state.page->next_page_token());
  state.page = std::make_unique<v1::ListAgreementsResponse>();
  return CallUnary(state.shared->stub, *state.method, *state.list, state.metadata,
                   state.shared->options.call_timeout, *state.page)
      .status.ok();
}

// Writes events until the feed says it caught up with the head.
bool ProvideEventRows(ExportState& state, httplib::DataSink& sink) {
  v1::SubscribeResponse message;
  if (state.pending != nullptr) {
    message.CopyFrom(*state.pending);
    state.pending.reset();
  } else {
    switch (state.feed->Read(message, kPoll)) {
      case StreamCall::Next::kTimeout:
        return true;
      case StreamCall::Next::kEnd:
        return false;
      case StreamCall::Next::kMessage:
        break;
    }
  }
  std::string lines;
  if (message.has_event()) lines = EventLine(message.event(), state.route->format);
  for (const v1::Event& event : message.events().events()) {
    absl::StrAppend(&lines, EventLine(event, state.route->format));
  }
  if (!lines.empty() && !sink.write(lines.data(), lines.size())) return false;
  if (message.has_caught_up()) sink.done();
  return true;
}

bool ProvideExport(ExportState& state, httplib::DataSink& sink) {
  if (!state.header_written) {
    state.header_written = true;
    const std::string header = ExportHeader(state.route->rows, state.route->format);
    if (!header.empty() && !sink.write(header.data(), header.size())) return false;
    return true;
  }
  return state.list != nullptr ? ProvideListRows(state, sink)
                               : ProvideEventRows(state, sink);
}

// The first page of a list export, or the first message of an event export; false
// (with the error answered) when it fails.
bool StartExport(ExportState& state, BoundCall& call, httplib::Response& response) {
  if (auto* list = dynamic_cast<v1::ListAgreementsRequest*>(call.request.get())) {
    state.list = std::make_unique<v1::ListAgreementsRequest>(*list);
    if (state.list->page_size() == 0) state.list->set_page_size(1000);
    state.page = std::make_unique<v1::ListAgreementsResponse>();
    const CallOutcome first =
        CallUnary(state.shared->stub, *call.method, *state.list, call.metadata,
                  state.shared->options.call_timeout, *state.page);
    if (!first.status.ok()) WriteError(response, first);
    return first.status.ok();
  }
  auto* subscribe = dynamic_cast<v1::SubscribeRequest*>(call.request.get());
  if (subscribe == nullptr) return false;
  if (subscribe->start_case() == v1::SubscribeRequest::START_NOT_SET) {
    subscribe->set_from_beginning(true);
  }
  if (subscribe->from_now()) {
    WriteError(response, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                      "from_now: an export ends at the head; give "
                                      "from_position or from_beginning"));
    return false;
  }
  if (subscribe->max_events_per_message() == 0)
    subscribe->set_max_events_per_message(256);
  state.feed = std::make_unique<StreamCall>(state.shared->stub, *call.method, *subscribe,
                                            call.metadata);
  bool ended = false;
  state.pending = FirstMessage(*state.feed, *call.method, response, &ended);
  return !(state.pending == nullptr && ended);
}

}  // namespace

void ServeExport(const std::shared_ptr<GatewayShared>& shared, BoundCall& call,
                 httplib::Response& response) {
  auto state = std::make_shared<ExportState>();
  state->slot = StreamSlot::Take(shared, response);
  if (state->slot == nullptr) return;
  state->shared = shared;
  state->route = call.route;
  state->method = call.method;
  state->metadata = call.metadata;
  if (!StartExport(*state, call, response)) return;
  const bool csv = call.route->format == ExportFormat::kCsv;
  const std::string name = call.route->pattern.substr(call.route->pattern.rfind('/') + 1);
  response.set_header("Content-Disposition",
                      absl::StrCat("attachment; filename=\"", name, "\""));
  response.set_header("Cache-Control", "private, no-cache");
  response.set_chunked_content_provider(
      csv ? "text/csv; charset=utf-8; header=present" : "application/x-ndjson",
      [state](size_t, httplib::DataSink& sink) { return ProvideExport(*state, sink); },
      [state](bool) {
        if (state->feed != nullptr) state->feed->Cancel();
      });
}

}  // namespace agreements::gateway
