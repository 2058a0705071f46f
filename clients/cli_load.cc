// `load FILE.jsonl`: ExecuteBatch requests from a file, one per line, sent on one
// ExecuteBatchStream; answers printed per line in file order, progress on stderr.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "clients/cli_load_file.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

using internal::LoadLine;
using internal::ParseLoadFile;

// One row per line of a load: line number, request id, committed/replayed/failed,
// positions (or the error's code).
constexpr absl::string_view kLoadRowFormat = "%-6s %-40s %-10s %s\n";

// How often the progress line is printed: rewritten in place on a terminal, one line
// each time otherwise.
constexpr absl::Duration kTerminalProgressEvery = absl::Milliseconds(250);
constexpr absl::Duration kLogProgressEvery = absl::Seconds(1);

// The progress of a load on stderr: answers, rate, ETA and failures, at most every
// kTerminalProgressEvery (rewriting one line) on a terminal, every kLogProgressEvery
// (one line each) otherwise. Used by one thread.
class LoadProgress {
 public:
  LoadProgress(size_t total, bool enabled, bool terminal)
      : total_(total),
        enabled_(enabled),
        terminal_(terminal),
        every_(terminal ? kTerminalProgressEvery : kLogProgressEvery),
        start_(absl::Now()),
        next_(start_ + every_) {}

  void Update(size_t answered, size_t failed) {
    if (!enabled_) return;
    const absl::Time now = absl::Now();
    if (now < next_) return;
    next_ = now + every_;
    Print(answered, failed, now);
  }

  // Prints `line` on its own line (above the progress line on a terminal).
  void Note(const std::string& line) {
    if (terminal_ && shown_) std::cerr << "\r\x1b[K";
    std::cerr << line << "\n";
    shown_ = false;
  }

  // The final count, when progress is shown.
  void Finish(size_t answered, size_t failed) {
    if (!enabled_) return;
    Print(answered, failed, absl::Now());
    if (terminal_) std::cerr << "\n";
    std::cerr.flush();
  }

 private:
  void Print(size_t answered, size_t failed, absl::Time now) {
    const double seconds = absl::ToDoubleSeconds(now - start_);
    const double rate = seconds > 0 ? answered / seconds : 0;
    std::string line = absl::StrFormat(
        "load: %d/%d requests (%d%%), %.0f/s", answered, total_,
        total_ == 0 ? 100 : static_cast<int>(answered * 100 / total_), rate);
    if (answered < total_ && rate > 0) {
      const absl::Duration eta = absl::Seconds(
          static_cast<int64_t>(static_cast<double>(total_ - answered) / rate + 0.5));
      absl::StrAppend(&line, ", ETA ", absl::FormatDuration(eta));
    }
    if (failed > 0) absl::StrAppend(&line, ", ", failed, " failed");
    if (terminal_) {
      std::cerr << "\r" << line << "\x1b[K";
    } else {
      std::cerr << line << "\n";
    }
    std::cerr.flush();
    shown_ = true;
  }

  const size_t total_;
  const bool enabled_;
  const bool terminal_;
  const absl::Duration every_;
  const absl::Time start_;
  // No line before the first interval: a rate over a few answers says little.
  absl::Time next_;
  bool shown_ = false;
};

// --progress: auto (when stderr is a terminal), always or never.
absl::StatusOr<bool> ProgressFlag(const ParsedArgs& args, bool terminal) {
  const std::string when = absl::AsciiStrToLower(args.Get("progress").value_or("auto"));
  if (when == "auto") return terminal;
  if (when == "always") return true;
  if (when == "never") return false;
  return UsageError(absl::StrCat("--progress: \"", *args.Get("progress"),
                                 "\" is not one of: auto, always, never"));
}

// What the answers of a load came to.
struct LoadTally {
  size_t answered = 0;
  size_t committed = 0;
  size_t replayed = 0;
  size_t failed = 0;
  // The first failed line and its error.
  int first_failed_line = 0;
  absl::Status first_error;
};

// {"line": N, "requestId": ID, KEY: VALUE}: one answer in the structured forms.
JsonValue LineValue(int line, const std::string& request_id, const char* key,
                    JsonValue value) {
  JsonValue object = JsonValue::Object();
  object.Set("line", JsonValue::Integer(line));
  object.Set("requestId", JsonValue::String(request_id));
  object.Set(key, std::move(value));
  return object;
}

// Prints one answer (a row, or a JSON object) and counts it. A failure is also reported
// on stderr with its line, except the first one of a load that stops there (the load's
// error names it).
void ReportAnswer(Env& env, const std::string& path, bool continue_on_error,
                  const LoadLine& line, const v1::ExecuteBatchStreamResponse& answer,
                  LoadTally& tally, LoadProgress& progress) {
  const bool json = env.structured();
  const std::string& request_id = line.request.context().request_id();
  ++tally.answered;
  if (answer.has_error()) {
    const absl::Status error(static_cast<absl::StatusCode>(answer.error().code()),
                             answer.error().message());
    if (++tally.failed == 1) {
      tally.first_failed_line = line.number;
      tally.first_error = error;
    }
    const std::string code = absl::StatusCodeToString(error.code());
    if (json) {
      JsonValue failure = JsonValue::Object();
      failure.Set("code", JsonValue::String(code));
      failure.Set("message", JsonValue::String(std::string(error.message())));
      env.PrintStreamItem(
          LineValue(line.number, request_id, "error", std::move(failure)));
    } else {
      env.out() << absl::StrFormat(kLoadRowFormat, absl::StrCat(line.number), request_id,
                                   "failed", code);
    }
    if (continue_on_error || tally.failed > 1) {
      progress.Note(absl::StrCat(path, ":", line.number, " (request ", request_id,
                                 "): ", code, ": ", error.message()));
    }
    return;
  }
  const v1::CommitResult& result = answer.response().result();
  (result.replayed() ? tally.replayed : tally.committed) += 1;
  if (json) {
    env.PrintStreamItem(
        LineValue(line.number, request_id, "response", env.ToValue(answer.response())));
  } else {
    env.out() << absl::StrFormat(kLoadRowFormat, absl::StrCat(line.number), request_id,
                                 result.replayed() ? "replayed" : "committed",
                                 FormatPositions(result));
  }
}

// "N requests: C committed, R replayed[, F failed][, U not answered]".
std::string Summary(size_t total, const LoadTally& tally) {
  std::string summary = absl::StrCat(total, " requests: ", tally.committed,
                                     " committed, ", tally.replayed, " replayed");
  if (tally.failed > 0) absl::StrAppend(&summary, ", ", tally.failed, " failed");
  if (tally.answered < total) {
    absl::StrAppend(&summary, ", ", total - tally.answered, " not answered");
  }
  return summary;
}

// Sends the lines in order on `stream` until all are sent or `stop` is set, then closes
// the sending side.
void SendLines(client::BatchStream& stream, const std::vector<LoadLine>& lines,
               const std::atomic<bool>& stop) {
  for (const LoadLine& line : lines) {
    if (stop.load(std::memory_order_relaxed) || !stream.Send(line.request)) break;
  }
  stream.CloseSend();
}

// The load's outcome: the stream's own failure, else the first failed line (it stopped
// there unless --continue-on-error), else OK.
absl::Status LoadStatus(const std::string& path, const std::vector<LoadLine>& lines,
                        const LoadTally& tally, const absl::Status& stream,
                        bool continue_on_error) {
  if (!stream.ok()) {
    return absl::Status(
        stream.code(),
        absl::StrCat(path, ": the stream ended after ", tally.answered, " of ",
                     lines.size(), " answers: ", stream.message(),
                     " (loading the file again replays what was committed)"));
  }
  if (tally.failed == 0) return absl::OkStatus();
  const LoadLine& first = *std::find_if(
      lines.begin(), lines.end(),
      [&](const LoadLine& l) { return l.number == tally.first_failed_line; });
  const std::string where = absl::StrCat(path, ":", first.number, " (request ",
                                         first.request.context().request_id(), ")");
  if (!continue_on_error) {
    return absl::Status(tally.first_error.code(),
                        absl::StrCat(where, ": ", tally.first_error.message()));
  }
  return absl::Status(tally.first_error.code(),
                      absl::StrCat(path, ": ", tally.failed, " of ", lines.size(),
                                   " requests failed (the first: ", where, ")"));
}

absl::Status RunLoad(Env& env) {
  const ParsedArgs& args = env.args();
  if (args.Has("request-id")) {
    return UsageError(
        "load: request ids come from the file; --request-id is not allowed");
  }
  const bool terminal = isatty(STDERR_FILENO) == 1;
  ASSIGN_OR_RETURN(const bool show_progress, ProgressFlag(args, terminal));
  const bool continue_on_error = args.Has("continue-on-error");
  const std::string& path = args.positional()[0];
  ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  ASSIGN_OR_RETURN(std::vector<LoadLine> lines,
                   ParseLoadFile(path, content, args.Get("reason").value_or("")));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  const bool json = env.structured();
  if (!json) {
    env.out() << absl::StrFormat(kLoadRowFormat, "LINE", "REQUEST_ID", "RESULT",
                                 "POSITIONS");
  }
  LoadProgress progress(lines.size(), show_progress, terminal);
  LoadTally tally;
  absl::Status stream_status;
  // A cluster replica refuses the stream at once, naming the writer: nothing was
  // answered, so the whole file goes again to the writer (same request ids).
  for (int hop = 0; hop < 3; ++hop) {
    std::unique_ptr<client::BatchStream> stream = client->OpenBatchStream();
    std::atomic<bool> stop{false};
    std::thread sender([&] { SendLines(*stream, lines, stop); });
    v1::ExecuteBatchStreamResponse answer;
    while (stream->Receive(answer)) {
      const size_t index = static_cast<size_t>(answer.index());
      if (answer.index() < 0 || index >= lines.size() ||
          answer.request_id() != lines[index].request.context().request_id()) {
        stream->Cancel();  // not the answer this client expects: stop listening
        continue;
      }
      ReportAnswer(env, path, continue_on_error, lines[index], answer, tally, progress);
      if (tally.failed > 0 && !continue_on_error) stop.store(true);
      env.out().flush();
      progress.Update(tally.answered, tally.failed);
    }
    sender.join();
    stream_status = stream->Finish();
    if (tally.answered > 0 || !absl::IsUnavailable(stream_status) ||
        !client->FollowWriterOf(*stream)) {
      break;
    }
  }
  progress.Finish(tally.answered, tally.failed);
  if (!json) env.out() << Summary(lines.size(), tally) << "\n";
  env.out().flush();
  return LoadStatus(path, lines, tally, stream_status, continue_on_error);
}

}  // namespace

CommandSpec LoadCommand() {
  CommandSpec load;
  load.path = "load";
  load.args_usage = "FILE.jsonl";
  load.min_args = load.max_args = 1;
  load.summary = "send ExecuteBatch requests, one per line, on one stream";
  load.run = RunLoad;
  load.details =
      "Each non-blank line is an ExecuteBatchRequest in protobuf JSON. The file is\n"
      "parsed first (a malformed line sends nothing); the lines are then sent in order\n"
      "on one ExecuteBatchStream and answered in order. A line without\n"
      "context.requestId gets \"load-\" plus a hash of the line, so loading a file\n"
      "twice is replayed by the server and adds nothing. --reason fills context.reason\n"
      "where empty.\n\n"
      "Prints per line: line number, request id, committed, replayed or failed, and\n"
      "the positions (or the error's code); with -o json or jsonl one object per line\n"
      "(-o yaml: one document each): {\"line\", \"requestId\", \"response\"} or\n"
      "{\"line\", \"requestId\", \"error\": {\"code\", \"message\"}}.\n"
      "Then \"N requests: C committed, R replayed\" (with F failed and U not answered\n"
      "when there are). Each failed line is also reported on stderr with its error.\n\n"
      "Without --continue-on-error the load stops sending at the first failed line;\n"
      "the lines already sent are still answered and printed. When a line failed or\n"
      "the stream broke, the exit status is that of the (first) error's code, e.g. 6\n"
      "for INVALID_ARGUMENT (loading the file again is then safe).\n"
      "Progress (requests answered, rate, ETA) goes to stderr when it is a terminal\n"
      "(--progress always also when it is not, e.g. a log: one line per second).";
  load.flags = {
      {"continue-on-error", "", "report each failed line and go on with the next ones"},
      WithChoices(
          {"progress", "WHEN",
           "progress on stderr: auto (when stderr is a terminal; default), always "
           "or never"},
          {"auto", "always", "never"})};
  return load;
}

}  // namespace agreements::cli
