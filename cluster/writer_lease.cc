#include "cluster/writer_lease.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace agreements::cluster {
namespace {

uint64_t ParseU64(const std::optional<std::string>& text) {
  uint64_t value = 0;
  if (text.has_value()) (void)absl::SimpleAtoi(*text, &value);
  return value;
}

}  // namespace

absl::StatusOr<PgRows> WriterLease::Exec(const std::string& sql,
                                         const std::vector<PgParam>& params) {
  if (conn_ == nullptr || !conn_->ok()) {
    conn_.reset();
    ASSIGN_OR_RETURN(
        conn_, PgConnection::Connect(conninfo_,
                                     absl::StrCat("agreements ", node_id_, " lease")));
  }
  absl::StatusOr<PgRows> rows = conn_->Exec(sql, params);
  if (!rows.ok() && absl::IsUnavailable(rows.status())) conn_.reset();
  return rows;
}

absl::StatusOr<WriterInfo> WriterLease::Read() {
  ASSIGN_OR_RETURN(PgRows rows, Exec("SELECT term, node_id, address, expires_at > now() "
                                     "FROM agreements_writer WHERE id = 1",
                                     {}));
  WriterInfo info;
  if (rows.rows.empty()) return info;
  const auto& row = rows.rows[0];
  info.term = ParseU64(row[0]);
  info.node_id = row[1].value_or("");
  info.address = row[2].value_or("");
  info.live = row[3].value_or("f") == "t";
  return info;
}

absl::StatusOr<std::optional<uint64_t>> WriterLease::TryAcquire(uint64_t seen_term) {
  ASSIGN_OR_RETURN(
      PgRows rows,
      Exec("UPDATE agreements_writer SET term = term + 1, node_id = $2, address = $3, "
           "expires_at = now() + make_interval(secs => $4::double precision) "
           "WHERE id = 1 AND term = $1 AND (expires_at <= now() OR node_id = $2) "
           "RETURNING term",
           {{absl::StrCat(seen_term)},
            {node_id_},
            {address_},
            {absl::StrCat(absl::ToDoubleSeconds(duration_))}}));
  if (rows.rows.empty()) return std::optional<uint64_t>();
  return std::optional<uint64_t>(ParseU64(rows.rows[0][0]));
}

absl::StatusOr<bool> WriterLease::Renew(uint64_t term) {
  ASSIGN_OR_RETURN(
      PgRows rows,
      Exec("UPDATE agreements_writer "
           "SET expires_at = now() + make_interval(secs => $3::double precision) "
           "WHERE id = 1 AND term = $1 AND node_id = $2 RETURNING 1",
           {{absl::StrCat(term)},
            {node_id_},
            {absl::StrCat(absl::ToDoubleSeconds(duration_))}}));
  return !rows.rows.empty();
}

absl::Status WriterLease::Release(uint64_t term) {
  return Exec(
             "UPDATE agreements_writer SET expires_at = '-infinity' "
             "WHERE id = 1 AND term = $1 AND node_id = $2",
             {{absl::StrCat(term)}, {node_id_}})
      .status();
}

}  // namespace agreements::cluster
