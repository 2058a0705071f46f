// Change-feed commands: `watch` (FeedService.Subscribe) and `watch-sector`
// (FeedService.WatchSector). Both print one line per message as it arrives, resume after
// a disconnect or a server restart (client::FeedSubscription / SectorWatcher, with a note
// on stderr) and stop cleanly, with exit status 0, on SIGINT or SIGTERM or after --limit.
#include <cstdint>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "agreements/v1/feed_service.pb.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "clients/cli_signal.h"
#include "clients/cli_values.h"
#include "clients/cli_watch_state.h"
#include "clients/feed_client.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

// Table rows. Fixed widths: a stream cannot align columns on values it has not seen.
constexpr absl::string_view kEventRowFormat = "%-9s %-24s %-36s %4s  %-28s %s\n";
constexpr absl::string_view kSectorRowFormat = "%-9s %-36s %-22s %4s  %s\n";
// -o wide: appended to an event row.
constexpr absl::string_view kEventWideSuffix = "  %-36s %s\n";

absl::StatusOr<uint32_t> Uint32Flag(const ParsedArgs& args, const std::string& name) {
  std::optional<std::string> text = args.Get(name);
  if (!text.has_value()) return 0;
  ASSIGN_OR_RETURN(uint64_t value, ParseUint64(name, *text));
  if (value > std::numeric_limits<uint32_t>::max()) {
    return UsageError(absl::StrCat("--", name, ": ", *text, " is too large"));
  }
  return static_cast<uint32_t>(value);
}

// --checkpoint-every and --checkpoint-interval into the request's checkpoint fields (the
// server checks their ranges).
template <typename Request>
absl::Status CheckpointFlags(const ParsedArgs& args, Request& request) {
  ASSIGN_OR_RETURN(uint32_t every, Uint32Flag(args, "checkpoint-every"));
  request.set_checkpoint_every_events(every);
  if (std::optional<std::string> text = args.Get("checkpoint-interval")) {
    absl::Duration interval;
    if (!absl::ParseDuration(*text, &interval) || interval < absl::ZeroDuration() ||
        interval > absl::Milliseconds(std::numeric_limits<uint32_t>::max())) {
      return UsageError(absl::StrCat("--checkpoint-interval: \"", *text,
                                     "\" is not a duration such as 500ms or 10s"));
    }
    request.set_checkpoint_interval_ms(
        static_cast<uint32_t>(absl::ToInt64Milliseconds(interval)));
  }
  return absl::OkStatus();
}

template <typename E, typename Add>
absl::Status EnumFlags(const ParsedArgs& args, const std::string& name, Add add) {
  for (const std::string& text : args.GetAll(name)) {
    absl::StatusOr<E> value = ParseEnum<E>(text);
    if (!value.ok()) {
      return UsageError(absl::StrCat("--", name, ": ", value.status().message()));
    }
    add(*value);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SubscribeRequest> SubscribeRequestFromFlags(const ParsedArgs& args) {
  v1::SubscribeRequest request;
  const std::string from = args.Get("from").value_or("now");
  if (from == "now") {
    request.set_from_now(true);
  } else if (from == "beginning") {
    request.set_from_beginning(true);
  } else {
    absl::StatusOr<uint64_t> position = ParseUint64("from", from);
    if (!position.ok() || *position == 0) {
      return UsageError(absl::StrCat(
          "--from: \"", from, "\" is not a position (1, 2, ...), beginning or now"));
    }
    request.set_from_position(*position);
  }
  v1::EventFilter& filter = *request.mutable_filter();
  for (const std::string& sector : args.GetAll("sector")) filter.add_sectors(sector);
  RETURN_IF_ERROR(EnumFlags<v1::InstrumentKind>(
      args, "kind", [&](v1::InstrumentKind kind) { filter.add_instrument_kinds(kind); }));
  for (const std::string& type : args.GetAll("type")) filter.add_event_types(type);
  for (const std::string& id : args.GetAll("agreement")) filter.add_agreement_ids(id);
  for (const std::string& id : args.GetAll("party")) filter.add_party_ids(id);
  RETURN_IF_ERROR(CheckpointFlags(args, request));
  return request;
}

absl::StatusOr<v1::WatchSectorRequest> WatchSectorRequestFromFlags(
    const ParsedArgs& args) {
  v1::WatchSectorRequest request;
  request.set_sector(args.positional()[0]);
  RETURN_IF_ERROR(EnumFlags<v1::AgreementStatus>(
      args, "status", [&](v1::AgreementStatus status) { request.add_statuses(status); }));
  RETURN_IF_ERROR(EnumFlags<v1::InstrumentKind>(
      args, "kind",
      [&](v1::InstrumentKind kind) { request.add_instrument_kinds(kind); }));
  if (std::optional<std::string> text = args.Get("resume-after")) {
    ASSIGN_OR_RETURN(uint64_t position, ParseUint64("resume-after", *text));
    request.set_resume_after(position);
  }
  RETURN_IF_ERROR(CheckpointFlags(args, request));
  return request;
}

// --limit N: 0 (none) when absent.
absl::StatusOr<uint64_t> LimitFlag(const ParsedArgs& args) {
  std::optional<std::string> text = args.Get("limit");
  if (!text.has_value()) return 0;
  absl::StatusOr<uint64_t> limit = ParseUint64("limit", *text);
  if (!limit.ok() || *limit == 0) {
    return UsageError(absl::StrCat("--limit: \"", *text, "\" is not a positive count"));
  }
  return *limit;
}

// The notes a watch prints on stderr, one line each: when a stream ended and is about to
// reopen ("watch: connection lost (UNAVAILABLE: ...); retrying in 2s after position
// 42"), and when the reopened stream delivers again ("watch: reconnected"). Both run on
// the watch's Run thread.
class ReconnectNotes {
 public:
  // `command` starts each note; `resumes_from(last_position)` says where the stream
  // continues.
  ReconnectNotes(std::string command, std::function<std::string(uint64_t)> resumes_from)
      : command_(std::move(command)), resumes_from_(std::move(resumes_from)) {}

  client::ResumeOptions Options() {
    client::ResumeOptions options;
    options.on_resume = [this](const absl::Status& ended, uint64_t resume_after,
                               absl::Duration pause) {
      reconnecting_ = true;
      std::string reason(ended.message());
      absl::StrReplaceAll({{"\n", " "}, {"\r", " "}}, &reason);
      std::cerr << command_ << ": connection lost ("
                << absl::StatusCodeToString(ended.code()) << ": " << reason
                << "); retrying in "
                << absl::FormatDuration(absl::Trunc(pause, absl::Milliseconds(1))) << " "
                << resumes_from_(resume_after) << std::endl;
    };
    return options;
  }

  // Called for every message received.
  void Received() {
    if (!reconnecting_) return;
    reconnecting_ = false;
    std::cerr << command_ << ": reconnected" << std::endl;
  }

 private:
  const std::string command_;
  const std::function<std::string(uint64_t)> resumes_from_;
  bool reconnecting_ = false;
};

// Prints `header` before the first message, so that an error comes alone.
class Header {
 public:
  Header(std::ostream& out, OutputFormat format, std::string header)
      : out_(out), pending_(!IsStructured(format)), header_(std::move(header)) {}
  void BeforeMessage() {
    if (!pending_) return;
    pending_ = false;
    out_ << header_;
  }

 private:
  std::ostream& out_;
  bool pending_;
  const std::string header_;
};

std::string Marker(absl::string_view text, uint64_t position) {
  return absl::StrCat("-- ", text, " ", position, " --\n");
}

void PrintMarker(std::ostream& out, const v1::SubscribeResponse& message) {
  if (message.has_checkpoint()) {
    out << Marker("checkpoint at", message.checkpoint().position());
  } else if (message.has_caught_up()) {
    out << Marker("caught up at", message.caught_up().position());
  } else if (message.has_fell_behind()) {
    out << Marker("fell behind at", message.fell_behind().position());
  }
}

void PrintFeedMessage(Env& env, const v1::SubscribeResponse& message) {
  std::ostream& out = env.out();
  if (env.structured()) {
    env.PrintStreamItem(env.ToValue(message));
  } else if (message.has_event()) {
    const v1::EventEnvelope& e = message.event().envelope();
    const std::string row = absl::StrFormat(
        kEventRowFormat, absl::StrCat(e.position()), FormatTimestamp(e.recorded_at()),
        absl::StrCat(EnumName(e.stream_type()), "/", e.stream_id()),
        absl::StrCat(e.revision()), e.event_type(), e.actor());
    if (env.format() == OutputFormat::kWide) {
      out << absl::StripSuffix(row, "\n")
          << absl::StrFormat(kEventWideSuffix, e.request_id(), e.reason());
    } else {
      out << row;
    }
  } else {
    PrintMarker(out, message);
  }
  out.flush();
}

void PrintSectorMessage(Env& env, const v1::WatchSectorResponse& message) {
  std::ostream& out = env.out();
  if (env.structured()) {
    env.PrintStreamItem(env.ToValue(message));
  } else if (message.has_update()) {
    const v1::AgreementUpdate& update = message.update();
    const v1::Agreement& a = update.agreement();
    out << absl::StrFormat(
        kSectorRowFormat, absl::StrCat(update.position()), a.id(), EnumName(a.status()),
        absl::StrCat(a.revision()),
        absl::StrCat(PreferredText(a.titles()), update.snapshot() ? " (snapshot)" : ""));
  } else if (message.has_removed()) {
    const v1::AgreementRemoved& removed = message.removed();
    out << absl::StrFormat(kSectorRowFormat, absl::StrCat(removed.position()),
                           removed.agreement_id(), "(removed)",
                           absl::StrCat(removed.revision()), "-");
  } else if (message.has_checkpoint()) {
    out << Marker("checkpoint at", message.checkpoint().position());
  } else if (message.has_caught_up()) {
    out << Marker("caught up at", message.caught_up().position());
  } else if (message.has_fell_behind()) {
    out << Marker("fell behind at", message.fell_behind().position());
  }
  out.flush();
}

// With --state FILE: a request that continues after the kept position (when the file
// exists; else `request` as the flags made it), and the state to keep up to date.
absl::StatusOr<std::optional<WatchState>> ResumeFromState(const ParsedArgs& args,
                                                          v1::SubscribeRequest& request) {
  std::optional<std::string> path = args.Get("state");
  if (!path.has_value()) return std::optional<WatchState>();
  if (path->empty()) return UsageError("--state: must name a file");
  WatchState state(*path);
  ASSIGN_OR_RETURN(const std::optional<uint64_t> kept, state.Load());
  if (kept.has_value()) {
    request.set_from_position(*kept + 1);
    std::cerr << "watch: resuming after position " << *kept << " (kept in " << *path
              << ")" << std::endl;
  }
  return std::optional<WatchState>(std::move(state));
}

absl::Status RunWatch(Env& env) {
  ASSIGN_OR_RETURN(v1::SubscribeRequest request, SubscribeRequestFromFlags(env.args()));
  ASSIGN_OR_RETURN(const uint64_t limit, LimitFlag(env.args()));
  ASSIGN_OR_RETURN(std::optional<WatchState> state, ResumeFromState(env.args(), request));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  const bool from_now = request.has_from_now();
  ReconnectNotes notes("watch", [from_now](uint64_t last) {
    return from_now && last == 0 ? std::string("from now")
                                 : absl::StrCat("after position ", last);
  });
  ASSIGN_OR_RETURN(
      std::unique_ptr<client::FeedSubscription> subscription,
      client::FeedSubscription::Create(client, std::move(request), notes.Options()));
  std::string header = absl::StrFormat(kEventRowFormat, "POSITION", "RECORDED_AT",
                                       "STREAM", "REV", "EVENT", "ACTOR");
  if (env.format() == OutputFormat::kWide) {
    header = absl::StrCat(absl::StripSuffix(header, "\n"),
                          absl::StrFormat(kEventWideSuffix, "REQUEST_ID", "REASON"));
  }
  Header printed_header(env.out(), env.format(), header);
  SignalStopper stopper([&subscription] { subscription->Stop(); });
  uint64_t events = 0;
  absl::Status kept;
  absl::Status status = subscription->Run([&](const v1::SubscribeResponse& message) {
    notes.Received();
    printed_header.BeforeMessage();
    PrintFeedMessage(env, message);
    if (state.has_value()) kept = state->Observe(message);
    if (!kept.ok()) return false;
    return !(message.has_event() && limit > 0 && ++events >= limit);
  });
  return status.ok() ? kept : status;
}

absl::Status RunWatchSector(Env& env) {
  ASSIGN_OR_RETURN(v1::WatchSectorRequest request,
                   WatchSectorRequestFromFlags(env.args()));
  ASSIGN_OR_RETURN(const uint64_t limit, LimitFlag(env.args()));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ReconnectNotes notes("watch-sector", [](uint64_t last) {
    return last == 0 ? std::string("(the snapshot starts over)")
                     : absl::StrCat("after position ", last);
  });
  ASSIGN_OR_RETURN(
      std::unique_ptr<client::SectorWatcher> watcher,
      client::SectorWatcher::Create(client, std::move(request), notes.Options()));
  Header header(env.out(), env.format(),
                absl::StrFormat(kSectorRowFormat, "POSITION", "AGREEMENT", "STATUS",
                                "REV", "TITLE"));
  SignalStopper stopper([&watcher] { watcher->Stop(); });
  uint64_t changes = 0;
  return watcher->Run([&](const v1::WatchSectorResponse& message) {
    notes.Received();
    header.BeforeMessage();
    PrintSectorMessage(env, message);
    const bool change = message.has_update() || message.has_removed();
    return !(change && limit > 0 && ++changes >= limit);
  });
}

std::vector<FlagSpec> CheckpointFlagSpecs() {
  return {{"checkpoint-every", "N",
           "a checkpoint after N scanned events without a message (server default "
           "1000)"},
          {"checkpoint-interval", "DURATION",
           "a checkpoint at least this often while positions advance (server default "
           "5s)"}};
}

}  // namespace

std::vector<CommandSpec> WatchCommands() {
  std::vector<CommandSpec> commands;
  CommandSpec watch;
  watch.path = "watch";
  watch.summary = "follow the registry's events as they are recorded";
  watch.details =
      "Prints the events that match the filters, in position order, then follows new\n"
      "ones. Filters of different kinds combine with AND, repeated values with OR.\n"
      "After a disconnect or a server restart it resubscribes after the last position\n"
      "seen (a note goes to stderr): no event is missed or printed twice. Stops with\n"
      "exit status 0 on SIGINT/SIGTERM or after --limit events. --timeout does not\n"
      "apply.\n"
      "With --state FILE the position covered is kept in FILE (replaced atomically\n"
      "after each message): run again with the same FILE to continue after it, even\n"
      "after the CLI was stopped (an event printed just before a kill may come again).\n"
      "Table: POSITION RECORDED_AT STREAM REV EVENT ACTOR (-o wide: REQUEST_ID REASON\n"
      "too), and marker lines (\"-- caught up at 42 --\", \"-- checkpoint at 57 --\",\n"
      "\"-- fell behind at 57 --\").\n"
      "-o json or jsonl: one SubscribeResponse per line (events, checkpoints, markers);\n"
      "-o yaml: one YAML document per message.";
  watch.flags = {
      {"from", "N|beginning|now",
       "start at position N, at the beginning or live (default)"},
      {"sector", "CODE", "agreements in this sector (before or after the event)", true},
      EnumFlagSpec<v1::InstrumentKind>(
          {"kind", "KIND", "agreements of this instrument kind", true}),
      {"type", "EVENT", "events of this type, e.g. participant_signed", true},
      {"agreement", "ID", "events of this agreement", true},
      {"party", "ID", "events of this party and of agreements it takes part in", true},
      {"limit", "N", "exit after N events"},
      {"state", "FILE",
       "keep the last position in FILE after each message; when FILE exists, start "
       "right after it (instead of --from)"}};
  for (FlagSpec& flag : CheckpointFlagSpecs()) watch.flags.push_back(std::move(flag));
  watch.run = RunWatch;
  commands.push_back(std::move(watch));

  CommandSpec sector;
  sector.path = "watch-sector";
  sector.args_usage = "SECTOR";
  sector.min_args = sector.max_args = 1;
  sector.summary = "a live view of one sector: its agreements, then every change";
  sector.details =
      "Prints the current state of every matching agreement (\"(snapshot)\"), then each\n"
      "change as the agreement's new state, and \"(removed)\" when one leaves the view.\n"
      "Resumes after a disconnect like watch. --limit counts updates and removals.\n"
      "Table: POSITION AGREEMENT STATUS REV TITLE. -o json or jsonl: one\n"
      "WatchSectorResponse per line; -o yaml: one YAML document per message.";
  sector.flags = {EnumFlagSpec<v1::AgreementStatus>(
                      {"status", "STATUS", "only agreements in this status", true}),
                  EnumFlagSpec<v1::InstrumentKind>(
                      {"kind", "KIND", "only agreements of this instrument kind", true}),
                  {"resume-after", "N", "no snapshot: the changes after position N"},
                  {"limit", "N", "exit after N updates and removals"}};
  for (FlagSpec& flag : CheckpointFlagSpecs()) sector.flags.push_back(std::move(flag));
  sector.run = RunWatchSector;
  commands.push_back(std::move(sector));
  return commands;
}

}  // namespace agreements::cli
