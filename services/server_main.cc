// agreements-server: the registry's gRPC server on an embedded RocksDB data directory.
//
//   agreements-server [--listen=127.0.0.1:50051] [--data_dir=./data]
//                     [--signing_key=FILE] [--checkpoint_origin=NAME]
//                     [--tls_cert=FILE --tls_key=FILE [--tls_client_ca=FILE
//                      [--tls_client_auth=require|optional] [--client_identity=san|cn]]]
//                     [--tokens=FILE] [--policy=FILE] [--insecure]
//                     [--max_streams=N] [--max_streams_per_principal=N]
//                     [--reserved_streams=N] [--rate_limit=CALLS_PER_S]
//                     [--rate_limit_burst=N] [--auth_failures=N]
//                     [--auth_failure_window=D] [--auth_slowdown=D]
//                     [--auth_slowdown_max=D]
//                     [--max_read_waits=N] [--max_read_waits_per_principal=N]
//                     [--reserved_read_waits=N] [--batch_stream_max_in_flight=N]
//
// Prints "agreements-server listening on HOST:PORT" once it serves. SIGTERM or SIGINT
// shut it down cleanly: in-flight commands finish and are durable, then it exits 0.
// SIGHUP re-reads the certificate, token and policy files and ends the feed streams
// whose callers lost access (docs/security.md).
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/build_info.h"
#include "common/flags_usage.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "services/grpc_log.h"
#include "services/server.h"
#include "services/supervisor.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to listen on (port 0 picks a free port)");
ABSL_FLAG(std::string, data_dir, "./data",
          "RocksDB data directory (created when missing)");
ABSL_FLAG(std::string, signing_key, "",
          "Ed25519 key file for signed checkpoints, created when absent "
          "(default: <data_dir>/checkpoint.key)");
ABSL_FLAG(std::string, checkpoint_origin, "agreements-registry",
          "origin line of signed checkpoints (also the key name)");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain; with --tls_key: TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle for client certificates (mutual TLS)");
ABSL_FLAG(std::string, tls_client_auth, "require",
          "with --tls_client_ca: require a client certificate, or verify it only when "
          "presented (optional)");
ABSL_FLAG(std::string, client_identity, "san",
          "principal of a client certificate: its first subject alternative name (san) "
          "or its common name (cn)");
ABSL_FLAG(std::string, tokens, "",
          "token file: sha256:<hex> principal roles... per line (docs/security.md)");
ABSL_FLAG(std::string, policy, "", "policy file: principal roles... per line");
ABSL_FLAG(bool, insecure, false,
          "allow a non-loopback --listen without TLS or without access control");
ABSL_FLAG(std::string, log_format, "json",
          "log records on stderr as JSON lines (json) or human-readable lines (text)");
ABSL_FLAG(
    std::string, log_level, "info",
    "lowest level logged: debug (adds stream opens and ends), info, warning, error");
ABSL_FLAG(absl::Duration, slow_request, absl::Seconds(1),
          "unary calls taking at least this long are logged at warning level (0: never)");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9464",
          "host:port of the Prometheus endpoint GET /metrics (empty: none; off loopback "
          "it needs TLS and a token, or --insecure)");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:8480",
          "host:port of the HTTP/JSON API and the web explorer (empty: none; off "
          "loopback it needs TLS and access control, or --insecure; docs/http.md)");
ABSL_FLAG(std::string, http_explorer_dir, "",
          "folder of the web explorer's files, served at / on --http_listen (empty: the "
          "API only)");
ABSL_FLAG(int32_t, http_max_streams, 12,
          "event streams and exports open at once on the HTTP listener (each holds a "
          "thread; the listener has 4 more threads than this)");
ABSL_FLAG(std::string, metrics_token_file, "",
          "file holding the bearer token scrapers must present to the metrics endpoint "
          "(or set AGREEMENTS_METRICS_TOKEN)");
ABSL_FLAG(bool, migrate, false,
          "migrate a data directory written by an older build before serving (without "
          "it the server refuses one; `agreements-admin migrate` backs up first)");
ABSL_FLAG(int64_t, block_cache_mb, 128,
          "RocksDB block cache shared by every column family, MiB (size it to the "
          "memory the server may use)");
ABSL_FLAG(int64_t, write_buffer_mb, 64,
          "RocksDB memtables of every family together, MiB");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "on SIGTERM, how long calls in flight may finish before they are cancelled");
ABSL_FLAG(int64_t, feed_window_events, 16384,
          "events kept in memory for live feed subscribers (further behind: read from "
          "the log)");
ABSL_FLAG(int64_t, feed_window_mb, 64, "the same window's bound in MiB");
ABSL_FLAG(int64_t, feed_threads, 2, "threads that prepare feed messages");
ABSL_FLAG(int64_t, max_group_requests, 1024,
          "requests the committer writes in one synced group at most");
ABSL_FLAG(int64_t, max_group_mb, 64, "bytes of one commit group at most, MiB");
ABSL_FLAG(int64_t, max_pending_requests, 20000,
          "requests queued for the committer beyond which new ones are refused "
          "(RESOURCE_EXHAUSTED)");
ABSL_FLAG(int64_t, max_pending_mb, 256, "the same queue's bound in MiB");
ABSL_FLAG(int64_t, max_message_mb, 4, "largest request accepted, MiB");
ABSL_FLAG(
    absl::Duration, max_read_wait, absl::Seconds(10),
    "longest wait of a read for the views to reach its position (then UNAVAILABLE)");
ABSL_FLAG(int64_t, max_projection_lag, 100000,
          "events committed but not yet applied to the views beyond which appends wait "
          "for the projection (back-pressure); 1 or more");
ABSL_FLAG(absl::Duration, testing_projection_delay, absl::ZeroDuration(),
          "for tests only: the projection sleeps this long before each batch, so that "
          "the views lag behind the log");
ABSL_FLAG(int64_t, batch_stream_max_in_flight, 256,
          "requests of one ExecuteBatchStream read and not yet answered; the stream "
          "stops reading at this bound (flow control); 1 or more");
ABSL_FLAG(int64_t, max_streams, 1000,
          "most feed streams (Subscribe and WatchSector) open at once");
ABSL_FLAG(int64_t, max_streams_per_principal, 100,
          "most feed streams one principal may hold open (admins exempt; 0: no limit)");
ABSL_FLAG(int64_t, reserved_streams, 50,
          "of --max_streams, slots only callers holding audit.read (admins, auditors) "
          "may take");
ABSL_FLAG(double, rate_limit, 200,
          "calls per second each principal may make on average (admins exempt; 0: no "
          "limit)");
ABSL_FLAG(int64_t, max_read_waits, 4096,
          "most reads waiting for a min_position at once (RESOURCE_EXHAUSTED beyond)");
ABSL_FLAG(int64_t, max_read_waits_per_principal, 256,
          "most reads of one principal waiting for a min_position at once");
ABSL_FLAG(int64_t, reserved_read_waits, 256,
          "of --max_read_waits, waits only callers holding audit.read (admins, auditors) "
          "may take");
ABSL_FLAG(int64_t, rate_limit_burst, 400,
          "calls a principal may make at once after being idle");
ABSL_FLAG(int64_t, auth_failures, 10,
          "unknown bearer tokens from one address after which it is slowed down (0: "
          "never)");
ABSL_FLAG(absl::Duration, auth_failure_window, absl::Minutes(1),
          "an address without a failure for this long starts counting again");
ABSL_FLAG(absl::Duration, auth_slowdown, absl::Seconds(1),
          "how long a slowed-down address is refused unknown tokens at first (doubles "
          "with each further failure)");
ABSL_FLAG(absl::Duration, auth_slowdown_max, absl::Minutes(5),
          "the longest slowdown of an address");

ABSL_FLAG(std::string, commit_log, "embedded",
          "the log of record: embedded (this data directory), or a PostgreSQL "
          "connection string (postgres://... or key=value) for cluster mode "
          "(docs/cluster.md)");
ABSL_FLAG(std::string, node_id, "",
          "cluster mode: this node's name, unique in the cluster (default: --advertise)");
ABSL_FLAG(std::string, advertise, "",
          "cluster mode: the gRPC address clients reach this node at (default: the "
          "--listen host with the bound port)");
ABSL_FLAG(absl::Duration, writer_lease, absl::Seconds(5),
          "cluster mode: how long the writer lease lasts without renewal (failover "
          "takes about this long)");
ABSL_FLAG(absl::Duration, append_resolve_timeout, absl::Seconds(30),
          "cluster mode: how long an append whose connection broke tries to settle its "
          "outcome");

namespace {

// The file whose flags --help lists and the configuration log shows.
constexpr char kSources[] = "services/server_main.cc";

// The stream limits; the rate and slowdown options are checked by the server.
absl::Status StreamLimitsFromFlags(agreements::services::FeedDispatcherOptions& feeds) {
  const int64_t max_streams = absl::GetFlag(FLAGS_max_streams);
  const int64_t per_principal = absl::GetFlag(FLAGS_max_streams_per_principal);
  const int64_t reserved = absl::GetFlag(FLAGS_reserved_streams);
  if (max_streams < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_streams: must be at least 1 (got ", max_streams, ")"));
  }
  if (per_principal < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_streams_per_principal: must be 0 (no limit) or more (got ",
                     per_principal, ")"));
  }
  if (reserved < 0 || reserved > max_streams) {
    return absl::InvalidArgumentError(
        absl::StrCat("--reserved_streams: must be from 0 to --max_streams (", max_streams,
                     "); got ", reserved));
  }
  feeds.max_streams = static_cast<size_t>(max_streams);
  feeds.max_streams_per_principal = static_cast<size_t>(per_principal);
  feeds.reserved_streams = static_cast<size_t>(reserved);
  return absl::OkStatus();
}

absl::Status ReadWaitsFromFlags(agreements::services::PositionWaitOptions& waits) {
  const int64_t all = absl::GetFlag(FLAGS_max_read_waits);
  const int64_t per_principal = absl::GetFlag(FLAGS_max_read_waits_per_principal);
  if (all < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_read_waits: must be at least 1 (got ", all, ")"));
  }
  if (per_principal < 1 || per_principal > all) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_read_waits_per_principal: must be from 1 to --max_read_waits (", all,
        "); got ", per_principal));
  }
  const int64_t reserved = absl::GetFlag(FLAGS_reserved_read_waits);
  if (reserved < 0 || reserved >= all) {
    return absl::InvalidArgumentError(
        absl::StrCat("--reserved_read_waits: must be from 0 to --max_read_waits - 1 (",
                     all - 1, "); got ", reserved));
  }
  waits.reserved_waits = static_cast<size_t>(reserved);
  waits.max_waits = static_cast<size_t>(all);
  waits.max_waits_per_principal = static_cast<size_t>(per_principal);
  return absl::OkStatus();
}

void CallerLimitsFromFlags(agreements::services::CallerLimitOptions& limits) {
  limits.rate.calls_per_second = absl::GetFlag(FLAGS_rate_limit);
  limits.rate.burst = absl::GetFlag(FLAGS_rate_limit_burst);
  limits.peers.failures = absl::GetFlag(FLAGS_auth_failures);
  limits.peers.window = absl::GetFlag(FLAGS_auth_failure_window);
  limits.peers.slowdown = absl::GetFlag(FLAGS_auth_slowdown);
  limits.peers.max_slowdown = absl::GetFlag(FLAGS_auth_slowdown_max);
}

// A size flag in MiB, at least `min`.
absl::StatusOr<size_t> MiB(const char* name, int64_t value, int64_t min = 1) {
  if (value < min || value > (int64_t{1} << 20)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, ": must be from ", min,
                                                   " to 1048576 MiB (got ", value, ")"));
  }
  return static_cast<size_t>(value) << 20;
}

absl::StatusOr<size_t> AtLeastOne(const char* name, int64_t value) {
  if (value < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": must be 1 or more (got ", value, ")"));
  }
  return static_cast<size_t>(value);
}

// The tunables of the store, the committer, the feeds and the calls.
absl::Status TunablesFromFlags(agreements::services::ServerOptions& options) {
  options.store.schema = absl::GetFlag(FLAGS_migrate)
                             ? agreements::store::SchemaPolicy::kMigrate
                             : agreements::store::SchemaPolicy::kRequireCurrent;
  ASSIGN_OR_RETURN(options.store.block_cache_bytes,
                   MiB("block_cache_mb", absl::GetFlag(FLAGS_block_cache_mb)));
  ASSIGN_OR_RETURN(options.store.write_buffer_bytes,
                   MiB("write_buffer_mb", absl::GetFlag(FLAGS_write_buffer_mb), 4));
  ASSIGN_OR_RETURN(
      options.feed_window,
      AtLeastOne("feed_window_events", absl::GetFlag(FLAGS_feed_window_events)));
  ASSIGN_OR_RETURN(options.feed_window_bytes,
                   MiB("feed_window_mb", absl::GetFlag(FLAGS_feed_window_mb)));
  ASSIGN_OR_RETURN(const size_t threads,
                   AtLeastOne("feed_threads", absl::GetFlag(FLAGS_feed_threads)));
  options.feeds.threads = static_cast<int>(std::min<size_t>(threads, 64));
  agreements::store::CommitterOptions& committer = options.committer;
  ASSIGN_OR_RETURN(
      committer.max_group_requests,
      AtLeastOne("max_group_requests", absl::GetFlag(FLAGS_max_group_requests)));
  ASSIGN_OR_RETURN(committer.max_group_bytes,
                   MiB("max_group_mb", absl::GetFlag(FLAGS_max_group_mb)));
  ASSIGN_OR_RETURN(
      committer.max_pending_requests,
      AtLeastOne("max_pending_requests", absl::GetFlag(FLAGS_max_pending_requests)));
  ASSIGN_OR_RETURN(committer.max_pending_bytes,
                   MiB("max_pending_mb", absl::GetFlag(FLAGS_max_pending_mb)));
  ASSIGN_OR_RETURN(const size_t message,
                   MiB("max_message_mb", absl::GetFlag(FLAGS_max_message_mb)));
  options.max_receive_message_bytes =
      static_cast<int>(std::min<size_t>(message, 1 << 30));
  options.cluster.commit_log = absl::GetFlag(FLAGS_commit_log);
  options.cluster.node_id = absl::GetFlag(FLAGS_node_id);
  options.cluster.advertise = absl::GetFlag(FLAGS_advertise);
  options.cluster.writer_lease = absl::GetFlag(FLAGS_writer_lease);
  options.cluster.resolve_timeout = absl::GetFlag(FLAGS_append_resolve_timeout);
  if (options.cluster.writer_lease < absl::Milliseconds(200) ||
      options.cluster.resolve_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--writer_lease must be at least 200ms and --append_resolve_timeout positive");
  }
  options.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  options.max_min_position_wait = absl::GetFlag(FLAGS_max_read_wait);
  if (options.shutdown_grace < absl::ZeroDuration() ||
      options.max_min_position_wait <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--shutdown_grace must not be negative and --max_read_wait must be positive");
  }
  return absl::OkStatus();
}

// The metrics token: from --metrics_token_file, else AGREEMENTS_METRICS_TOKEN.
absl::StatusOr<std::string> MetricsToken() {
  const std::string path = absl::GetFlag(FLAGS_metrics_token_file);
  if (path.empty()) {
    const char* env = std::getenv("AGREEMENTS_METRICS_TOKEN");
    return std::string(env == nullptr ? "" : env);
  }
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_token_file: cannot read a token from ", path));
  }
  token = std::string(absl::StripAsciiWhitespace(token));
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_token_file: ", path, " holds no token"));
  }
  return token;
}

absl::Status LoggingFromFlags() {
  auto format = agreements::logging::ParseFormat(absl::GetFlag(FLAGS_log_format));
  if (!format.ok()) return format.status();
  auto level = agreements::logging::ParseLevel(absl::GetFlag(FLAGS_log_level));
  if (!level.ok()) return level.status();
  agreements::logging::Configure(*format, *level);
  return absl::OkStatus();
}

// A connection string without its password (a URI's user:password@ or password=...).
std::string RedactPassword(const std::string& conninfo) {
  static const std::regex kUri(R"(://([^:/@]*):[^@/]*@)");
  static const std::regex kPair(R"(password\s*=\s*('[^']*'|\S+))");
  std::string out = std::regex_replace(conninfo, kUri, "://$1:***@");
  return std::regex_replace(out, kPair, "password=***");
}

// The effective configuration: every flag of this binary (no flag holds a secret but a
// connection string's password, which is redacted: tokens are read from files or the
// environment).
void LogConfiguration() {
  const auto values = agreements::FlagValues({kSources});
  std::vector<agreements::logging::Field> fields;
  fields.reserve(values.size() + 1);
  fields.emplace_back("version", agreements::build_info::Version());
  // Fields refer to their strings: the redacted connection string must outlive them.
  std::string redacted;
  for (const auto& [name, value] : values) {
    if (name == "commit_log") {
      redacted = RedactPassword(value);
      fields.emplace_back(name, redacted);
    } else {
      fields.emplace_back(name, value);
    }
  }
  agreements::logging::Log(agreements::logging::Level::kInfo, "configuration", fields);
}

absl::StatusOr<agreements::services::ServerOptions> OptionsFromFlags() {
  using agreements::services::ClientCertificates;
  using agreements::services::ClientIdentity;
  agreements::services::ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.signing_key = absl::GetFlag(FLAGS_signing_key);
  options.checkpoints.origin = absl::GetFlag(FLAGS_checkpoint_origin);
  options.insecure = absl::GetFlag(FLAGS_insecure);
  agreements::services::SecurityOptions& security = options.security;
  security.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  security.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  security.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  security.tokens_file = absl::GetFlag(FLAGS_tokens);
  security.policy_file = absl::GetFlag(FLAGS_policy);
  const std::string client_auth = absl::GetFlag(FLAGS_tls_client_auth);
  if (client_auth == "require") {
    security.client_certificates = ClientCertificates::kRequire;
  } else if (client_auth == "optional") {
    security.client_certificates = ClientCertificates::kOptional;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_client_auth: must be require or optional (got \"", client_auth, "\")"));
  }
  const std::string identity = absl::GetFlag(FLAGS_client_identity);
  if (identity == "san") {
    security.client_identity = ClientIdentity::kSan;
  } else if (identity == "cn") {
    security.client_identity = ClientIdentity::kCn;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--client_identity: must be san or cn (got \"", identity, "\")"));
  }
  absl::Status streams = StreamLimitsFromFlags(options.feeds);
  if (!streams.ok()) return streams;
  absl::Status waits = ReadWaitsFromFlags(options.position_waits);
  if (!waits.ok()) return waits;
  const int64_t lag = absl::GetFlag(FLAGS_max_projection_lag);
  if (lag < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_projection_lag: must be 1 or more (got ", lag, ")"));
  }
  options.projection.max_lag_events = static_cast<uint64_t>(lag);
  const int64_t in_flight = absl::GetFlag(FLAGS_batch_stream_max_in_flight);
  if (in_flight < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--batch_stream_max_in_flight: must be 1 or more (got ", in_flight, ")"));
  }
  options.command_streams.max_in_flight = static_cast<size_t>(in_flight);
  if (const absl::Duration delay = absl::GetFlag(FLAGS_testing_projection_delay);
      delay > absl::ZeroDuration()) {
    options.projection.TEST_before_batch = [delay] { absl::SleepFor(delay); };
  }
  if (absl::Status tunables = TunablesFromFlags(options); !tunables.ok()) return tunables;
  options.calls.slow_call = absl::GetFlag(FLAGS_slow_request);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.http.listen = absl::GetFlag(FLAGS_http_listen);
  options.http.static_dir = absl::GetFlag(FLAGS_http_explorer_dir);
  options.http.max_streams = absl::GetFlag(FLAGS_http_max_streams);
  if (options.http.max_streams < 1 || options.http.max_streams > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("--http_max_streams: 1 to 1000 (got ",
                                                   options.http.max_streams, ")"));
  }
  options.http.threads = options.http.max_streams + 4;
  absl::StatusOr<std::string> metrics_token = MetricsToken();
  if (!metrics_token.ok()) return metrics_token.status();
  options.metrics_token = *std::move(metrics_token);
  CallerLimitsFromFlags(security.limits);
  absl::Status limits = agreements::services::ValidateCallerLimitOptions(security.limits);
  if (!limits.ok()) return limits;
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  agreements::ConfigureFlagsUsage(
      "agreements-server",
      "agreements-server [--listen=HOST:PORT] [--data_dir=DIR] [--tls_cert=FILE "
      "--tls_key=FILE] [--tls_client_ca=FILE] [--tokens=FILE] [--policy=FILE] "
      "[--metrics_listen=HOST:PORT] [--http_listen=HOST:PORT] [--flagfile=FILE]",
      {kSources});
  absl::ParseCommandLine(argc, argv);
  if (absl::Status logging = LoggingFromFlags(); !logging.ok()) {
    std::fprintf(stderr, "agreements-server: %s\n", logging.ToString().c_str());
    return 1;
  }
  agreements::services::RouteGrpcLogs();
  // Debian's abseil is built without NDEBUG, so every Mutex::Lock would check a global
  // lock graph for cycles under one process-wide spin lock (0.7% of the server's CPU in
  // the growth profile, docs/performance.md). The tests keep the check on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Block the signals in every thread; this thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto options = OptionsFromFlags();
  if (!options.ok()) {
    agreements::logging::Error("bad configuration",
                               {{"error", options.status().ToString()}});
    return 1;
  }
  LogConfiguration();
  // The supervisor holds the port from the start (health NOT_SERVING with a reason
  // while the store opens) and restarts the server after a failed write.
  auto server = agreements::services::Supervisor::Start(*options);
  if (!server.ok()) {
    agreements::logging::Error("cannot start", {{"error", server.status().ToString()}});
    return 1;
  }
  std::string host = options->listen.substr(0, options->listen.rfind(':'));
  std::printf("agreements-server listening on %s:%d (data in %s%s)\n", host.c_str(),
              (*server)->port(), options->data_dir.c_str(),
              options->security.tls_cert_file.empty() ? "" : ", TLS");
  if ((*server)->metrics_port() > 0) {
    const std::string metrics = options->metrics_listen;
    std::printf("agreements-server metrics on %s:%d\n",
                metrics.substr(0, metrics.rfind(':')).c_str(), (*server)->metrics_port());
  }
  if ((*server)->http_port() > 0) {
    const std::string http = options->http.listen;
    std::printf("agreements-server http on %s:%d\n",
                http.substr(0, http.rfind(':')).c_str(), (*server)->http_port());
  }
  std::fflush(stdout);

  int signal = 0;
  while (true) {
    sigwait(&signals, &signal);
    if (signal != SIGHUP) break;
    absl::StatusOr<size_t> reloaded = (*server)->ReloadSecurity();
    if (reloaded.ok()) {
      agreements::logging::Info("SIGHUP: security files reloaded",
                                {{"feed_streams_ended", *reloaded}});
    } else {
      agreements::logging::Warning("SIGHUP: reload failed; the files in use stay",
                                   {{"error", reloaded.status().ToString()}});
    }
  }
  agreements::logging::Info("signal received, shutting down",
                            {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*server)->Shutdown();
  agreements::logging::Info("stopped cleanly");
  return 0;
}
