#include "cluster/postgres_log.h"

#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace agreements::cluster {
namespace {

namespace sv1 = ::agreements::storage::v1;
using store::AppendResult;

constexpr char kSchemaSql[] = R"sql(
SELECT pg_advisory_xact_lock(8246153017);
CREATE TABLE IF NOT EXISTS agreements_log (
  idx bigint PRIMARY KEY,
  term bigint NOT NULL,
  first_position bigint NOT NULL,
  event_count integer NOT NULL,
  body bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS agreements_requests (
  request_id text PRIMARY KEY,
  idx bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS agreements_writer (
  id integer PRIMARY KEY CHECK (id = 1),
  term bigint NOT NULL,
  node_id text NOT NULL,
  address text NOT NULL,
  expires_at timestamptz NOT NULL
);
INSERT INTO agreements_writer VALUES (1, 0, '', '', '-infinity') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS agreements_sync (
  id integer PRIMARY KEY CHECK (id = 1),
  n bigint NOT NULL
);
INSERT INTO agreements_sync VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS agreements_cosignatures (
  tree_size bigint NOT NULL,
  key_id text NOT NULL,
  node_id text NOT NULL,
  root bytea NOT NULL,
  signature text NOT NULL,
  PRIMARY KEY (tree_size, key_id)
);
)sql";

// Inserts the record only where no record is and while the lease has its term; then
// its request ids (unique: a duplicate fails the whole statement) and the notification.
constexpr char kAppendSql[] = R"sql(
WITH w AS (SELECT 1 FROM agreements_writer WHERE id = 1 AND term = $2),
     r AS (INSERT INTO agreements_log (idx, term, first_position, event_count, body)
           SELECT $1, $2, $3, $4, $5 FROM w
           ON CONFLICT (idx) DO NOTHING RETURNING idx),
     q AS (INSERT INTO agreements_requests (request_id, idx)
           SELECT unnest($6::text[]), idx FROM r)
SELECT pg_notify('agreements_log', $1::text) FROM r
)sql";

std::string TextArray(const sv1::LogRecord& record) {
  std::string out = "{";
  for (int i = 0; i < record.requests_size(); ++i) {
    if (i > 0) out += ",";
    out += "\"";
    for (char c : record.requests(i).request_id()) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\"";
  }
  return out + "}";
}

}  // namespace

const char* LogSchemaSql() { return kSchemaSql; }

absl::StatusOr<std::unique_ptr<PostgresLog>> PostgresLog::Open(
    store::Store* store, PostgresLogOptions options) {
  if (options.conninfo.empty()) {
    return absl::InvalidArgumentError("commit_log: the PostgreSQL connection is empty");
  }
  std::unique_ptr<PostgresLog> log(new PostgresLog(store, std::move(options)));
  std::unique_ptr<PgConnection> schema;
  RETURN_IF_ERROR(log->Connect(schema, "schema"));
  RETURN_IF_ERROR(schema->ExecSimple(absl::StrCat("BEGIN;", kSchemaSql, "COMMIT;")));
  return log;
}

absl::Status PostgresLog::Connect(std::unique_ptr<PgConnection>& conn, const char* role) {
  if (conn != nullptr && conn->ok()) return absl::OkStatus();
  conn.reset();
  const std::string name =
      absl::StrCat("agreements ", options_.node_id, " ", role, " ", ++connections_);
  ASSIGN_OR_RETURN(conn, PgConnection::Connect(options_.conninfo, name));
  return absl::OkStatus();
}

void PostgresLog::Saw(uint64_t index) {
  uint64_t seen = last_seen_.load();
  while (index > seen && !last_seen_.compare_exchange_weak(seen, index)) {
  }
}

absl::StatusOr<bool> PostgresLog::Insert(const sv1::LogRecord& record,
                                         const std::string& body) {
  ASSIGN_OR_RETURN(PgRows rows, append_conn_->Exec(
                                    kAppendSql, {{absl::StrCat(record.index())},
                                                 {absl::StrCat(record.term())},
                                                 {absl::StrCat(record.first_position())},
                                                 {absl::StrCat(record.count())},
                                                 {body, /*binary=*/true},
                                                 {TextArray(record)}}));
  return !rows.rows.empty();
}

AppendResult PostgresLog::WriteLocal(rocksdb::WriteBatch& local) {
  absl::Status written = store::WriteLocal(store_, local);
  if (written.ok()) return AppendResult::Durable();
  return AppendResult::Failed(AppendResult::Kind::kLocalWriteFailed, written);
}

AppendResult PostgresLog::Append(const sv1::LogRecord* record,
                                 rocksdb::WriteBatch& local) {
  const std::string body = store::SerializeDeterministic(*record);
  const absl::Time deadline = absl::Now() + options_.resolve_timeout;
  absl::Status connected = Connect(append_conn_, "append");
  while (!connected.ok() && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    connected = Connect(append_conn_, "append");
  }
  if (!connected.ok()) {
    return AppendResult::Failed(AppendResult::Kind::kNotWritten, connected);
  }
  const int pid = append_conn_->backend_pid();
  const std::string name = append_conn_->application_name();
  absl::StatusOr<bool> inserted = Insert(*record, body);
  if (inserted.ok() && *inserted) {
    Saw(record->index());
    return WriteLocal(local);
  }
  if (inserted.ok() || absl::IsAborted(inserted.status())) {
    return AppendResult::Failed(
        AppendResult::Kind::kFenced,
        absl::AbortedError(absl::StrCat(
            "record ", record->index(), " of term ", record->term(),
            " was fenced out: another record holds the index or another term began",
            inserted.ok() ? "" : absl::StrCat(" (", inserted.status().message(), ")"))));
  }
  if (!absl::IsUnavailable(inserted.status())) {
    return AppendResult::Failed(AppendResult::Kind::kNotWritten, inserted.status());
  }
  logging::Warning(
      "the connection broke while appending to the log; settling the outcome",
      {{"record", std::to_string(record->index())},
       {"error", std::string(inserted.status().message())}});
  AppendResult settled = Resolve(*record, body, pid, name);
  if (settled.kind != AppendResult::Kind::kDurable) return settled;
  Saw(record->index());
  return WriteLocal(local);
}

absl::Status PostgresLog::EndBackend(int pid, const std::string& name,
                                     absl::Time deadline) {
  const std::vector<PgParam> params = {{absl::StrCat(pid)}, {name}};
  RETURN_IF_ERROR(append_conn_
                      ->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE pid = $1 AND application_name = $2",
                             params)
                      .status());
  while (absl::Now() < deadline) {
    ASSIGN_OR_RETURN(PgRows rows, append_conn_->Exec("SELECT 1 FROM pg_stat_activity "
                                                     "WHERE pid = $1 AND "
                                                     "application_name = $2",
                                                     params));
    if (rows.rows.empty()) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError("the broken append's server process did not end");
}

AppendResult PostgresLog::Resolve(const sv1::LogRecord& record, const std::string& body,
                                  int broken_pid, std::string broken_name) {
  ++resolved_;
  const absl::Time deadline = absl::Now() + options_.resolve_timeout;
  absl::Status last = absl::UnavailableError("the log's PostgreSQL was not reached");
  while (absl::Now() < deadline) {
    append_conn_.reset();
    if (absl::Status s = Connect(append_conn_, "append"); !s.ok()) {
      last = s;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    // A server that is not the one the statement ran on has no such process.
    if (absl::Status s = EndBackend(broken_pid, broken_name, deadline); !s.ok()) {
      last = s;
      continue;
    }
    absl::StatusOr<PgRows> found =
        append_conn_->Exec("SELECT body = $2 FROM agreements_log WHERE idx = $1",
                           {{absl::StrCat(record.index())}, {body, true}});
    if (!found.ok()) {
      last = found.status();
      continue;
    }
    if (found->rows.empty()) {
      // Not there, and the statement that could have put it there is gone: append it
      // again, which settles it.
      broken_pid = append_conn_->backend_pid();
      broken_name = append_conn_->application_name();
      absl::StatusOr<bool> inserted = Insert(record, body);
      if (inserted.ok() && *inserted) return AppendResult::Durable();
      if (inserted.ok() || absl::IsAborted(inserted.status())) {
        return AppendResult::Failed(
            AppendResult::Kind::kFenced,
            absl::AbortedError(absl::StrCat(
                "record ", record.index(), " was not in the log and is fenced out now")));
      }
      last = inserted.status();
      continue;
    }
    if (found->rows[0][0].value_or("f") != "t") {
      return AppendResult::Failed(
          AppendResult::Kind::kFenced,
          absl::AbortedError(absl::StrCat("record ", record.index(),
                                          " is another writer's: this one was fenced")));
    }
    // Ours. A statement ended while waiting for synchronous standbys is committed on the
    // primary only: one more synchronous write waits until the standbys have it too.
    absl::StatusOr<PgRows> synced =
        append_conn_->Exec("UPDATE agreements_sync SET n = n + 1 WHERE id = 1", {});
    if (synced.ok()) return AppendResult::Durable();
    last = synced.status();
  }
  ++unknown_;
  return AppendResult::Failed(
      AppendResult::Kind::kUnknown,
      absl::UnavailableError(
          absl::StrCat("record ", record.index(),
                       ": the outcome could not be settled: ", last.message())));
}

absl::StatusOr<std::vector<sv1::LogRecord>> PostgresLog::Read(uint64_t after_index,
                                                              size_t max_records,
                                                              absl::Duration wait) {
  if (read_conn_ == nullptr || !read_conn_->ok()) {
    RETURN_IF_ERROR(Connect(read_conn_, "read"));
    absl::Status listening = read_conn_->ExecSimple("LISTEN agreements_log");
    if (!listening.ok()) {
      read_conn_.reset();
      return listening;
    }
  }
  std::vector<sv1::LogRecord> records;
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<PgRows> rows = read_conn_->Exec(
        "SELECT body FROM agreements_log WHERE idx > $1 ORDER BY idx LIMIT $2",
        {{absl::StrCat(after_index)}, {absl::StrCat(max_records)}},
        /*binary_result=*/true);
    if (!rows.ok()) {
      read_conn_.reset();
      return rows.status();
    }
    for (const auto& row : rows->rows) {
      sv1::LogRecord& record = records.emplace_back();
      if (!row[0].has_value() || !record.ParseFromString(*row[0])) {
        return absl::DataLossError(
            absl::StrCat("a log record after index ", after_index, " does not parse"));
      }
    }
    if (!records.empty()) {
      Saw(records.back().index());
      return records;
    }
    if (attempt > 0 || wait <= absl::ZeroDuration()) break;
    std::string payload;
    absl::StatusOr<bool> notified = read_conn_->WaitForNotification(wait, &payload);
    if (!notified.ok()) {
      read_conn_.reset();
      return notified.status();
    }
    if (!*notified) break;
    uint64_t index = 0;
    if (absl::SimpleAtoi(payload, &index)) Saw(index);
  }
  return records;
}

absl::StatusOr<uint64_t> PostgresLog::LastIndex() {
  if (read_conn_ == nullptr || !read_conn_->ok()) {
    return absl::UnavailableError("not connected to the log");
  }
  ASSIGN_OR_RETURN(
      PgRows rows,
      read_conn_->Exec("SELECT coalesce(max(idx), 0) FROM agreements_log", {}));
  uint64_t index = 0;
  if (rows.rows.empty() || !rows.rows[0][0].has_value() ||
      !absl::SimpleAtoi(*rows.rows[0][0], &index)) {
    return absl::InternalError("max(idx) did not parse");
  }
  Saw(index);
  return index;
}

}  // namespace agreements::cluster
