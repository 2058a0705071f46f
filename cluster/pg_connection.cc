#include "cluster/pg_connection.h"

#include <poll.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace agreements::cluster {
namespace {

std::string ErrorOf(PGconn* conn) {
  std::string message = PQerrorMessage(conn);
  return std::string(absl::StripTrailingAsciiWhitespace(message));
}

absl::Status StatusOfSqlState(const std::string& sqlstate, const std::string& message) {
  // Class 23: integrity constraint violation; 40001/40P01: serialization or deadlock.
  if (absl::StartsWith(sqlstate, "23") || sqlstate == "40001" || sqlstate == "40P01") {
    return absl::AbortedError(message);
  }
  // Class 08: connection exception; 57P01-03: the server is shutting down or starting;
  // 25006: read-only transaction (a standby after a failover).
  if (absl::StartsWith(sqlstate, "08") || absl::StartsWith(sqlstate, "57P") ||
      sqlstate == "25006") {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(
    const std::string& conninfo, const std::string& application_name) {
  // The caller's connection string may set connect_timeout (it comes later); the
  // application_name names this connection and always wins.
  const char* keywords[] = {"connect_timeout", "dbname", "application_name", nullptr};
  const char* values[] = {"5", conninfo.c_str(), application_name.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return absl::ResourceExhaustedError("libpq: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    absl::Status status = absl::UnavailableError(
        absl::StrCat("cannot connect to the log's PostgreSQL: ", ErrorOf(conn)));
    PQfinish(conn);
    return status;
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn, application_name));
}

PgConnection::PgConnection(PGconn* conn, std::string application_name)
    : conn_(conn),
      backend_pid_(PQbackendPID(conn)),
      application_name_(std::move(application_name)) {
  // Server notices (e.g. "the transaction has already committed locally") are not
  // errors of ours; the server's log has them.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::ok() const { return PQstatus(conn_) == CONNECTION_OK; }

std::string PgConnection::server() const {
  return absl::StrCat(PQhost(conn_), ":", PQport(conn_));
}

absl::StatusOr<PgRows> PgConnection::Exec(const std::string& sql,
                                          const std::vector<PgParam>& params,
                                          bool binary_result) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const PgParam& param : params) {
    values.push_back(param.null ? nullptr : param.value.data());
    lengths.push_back(static_cast<int>(param.value.size()));
    formats.push_back(param.binary ? 1 : 0);
  }
  return RowsOf(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), lengths.data(), formats.data(),
                             binary_result ? 1 : 0));
}

absl::Status PgConnection::ExecSimple(const std::string& sql) {
  return RowsOf(PQexec(conn_, sql.c_str())).status();
}

absl::StatusOr<PgRows> PgConnection::RowsOf(PGresult* result) {
  std::unique_ptr<PGresult, void (*)(PGresult*)> owned(result, PQclear);
  if (result == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("the connection to the log's PostgreSQL broke: ", ErrorOf(conn_)));
  }
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    std::string message = PQresultErrorMessage(result);
    return StatusOfSqlState(
        state != nullptr ? state : "",
        absl::StrCat("PostgreSQL: ", absl::StripTrailingAsciiWhitespace(message)));
  }
  PgRows rows;
  const int n = PQntuples(result), columns = PQnfields(result);
  rows.rows.resize(n);
  for (int r = 0; r < n; ++r) {
    rows.rows[r].reserve(columns);
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c)) {
        rows.rows[r].push_back(std::nullopt);
      } else {
        rows.rows[r].push_back(
            std::string(PQgetvalue(result, r, c), PQgetlength(result, r, c)));
      }
    }
  }
  return rows;
}

absl::StatusOr<bool> PgConnection::WaitForNotification(absl::Duration timeout,
                                                       std::string* payload) {
  bool any = false;
  auto drain = [&] {
    while (PGnotify* notify = PQnotifies(conn_)) {
      any = true;
      if (payload != nullptr) *payload = notify->extra;
      PQfreemem(notify);
    }
  };
  if (PQconsumeInput(conn_) == 0) {
    return absl::UnavailableError(
        absl::StrCat("the connection to the log's PostgreSQL broke: ", ErrorOf(conn_)));
  }
  drain();
  if (any || timeout <= absl::ZeroDuration()) return any;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  const int ready = poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (ready > 0) {
    if (PQconsumeInput(conn_) == 0) {
      return absl::UnavailableError(
          absl::StrCat("the connection to the log's PostgreSQL broke: ", ErrorOf(conn_)));
    }
    drain();
  }
  return any;
}

}  // namespace agreements::cluster
