#include "cluster/cosigner.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "store/merkle_tree.h"

namespace agreements::cluster {
namespace {

std::string Bytes(const merkle::Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

uint64_t ParseU64(const std::optional<std::string>& text) {
  uint64_t value = 0;
  if (text.has_value()) (void)absl::SimpleAtoi(*text, &value);
  return value;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Cosigner>> Cosigner::Start(
    const store::Store* store, const store::Checkpointer* checkpointer,
    note::NoteSigner signer, CosignerOptions options) {
  std::unique_ptr<Cosigner> cosigner(
      new Cosigner(store, checkpointer, std::move(signer), std::move(options)));
  cosigner->thread_ = std::thread([raw = cosigner.get()] { raw->Run(); });
  return cosigner;
}

Cosigner::~Cosigner() { Shutdown(); }

void Cosigner::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::string Cosigner::CosignedNote() const {
  absl::MutexLock lock(&mu_);
  return note_;
}

CosignerStatus Cosigner::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

void Cosigner::Run() {
  while (true) {
    absl::Status stepped = Step();
    absl::MutexLock lock(&mu_);
    status_.last_error = stepped;
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.interval)) return;
  }
}

absl::StatusOr<PgRows> Cosigner::Exec(const std::string& sql,
                                      const std::vector<PgParam>& params,
                                      bool binary_result) {
  if (conn_ == nullptr || !conn_->ok()) {
    conn_.reset();
    ASSIGN_OR_RETURN(
        conn_,
        PgConnection::Connect(options_.conninfo,
                              absl::StrCat("agreements ", options_.node_id, " cosign")));
  }
  absl::StatusOr<PgRows> rows = conn_->Exec(sql, params, binary_result);
  if (!rows.ok() && absl::IsUnavailable(rows.status())) conn_.reset();
  return rows;
}

absl::Status Cosigner::Step() {
  const store::SignedCheckpoint latest = checkpointer_->Latest();
  if (latest.size != UINT64_MAX && latest.size > signed_latest_) {
    RETURN_IF_ERROR(Sign(latest.size, latest.root));
    signed_latest_ = latest.size;
  }
  RETURN_IF_ERROR(CheckOthers());
  return Collect();
}

absl::Status Cosigner::Sign(uint64_t size, const merkle::Hash& root) {
  note::Checkpoint checkpoint;
  checkpoint.origin = options_.origin;
  checkpoint.size = size;
  checkpoint.root = root;
  const std::string body = note::CheckpointBody(checkpoint);
  ASSIGN_OR_RETURN(std::string signed_note, signer_.Sign(body));
  // The note is the body, a blank line, and the signature line.
  std::string line = signed_note.substr(body.size() + 1);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return Exec(
             "INSERT INTO agreements_cosignatures "
             "(tree_size, key_id, node_id, root, signature) VALUES ($1, $2, $3, $4, $5) "
             "ON CONFLICT DO NOTHING",
             {{absl::StrCat(size)},
              {signer_.VerifierKey()},
              {options_.node_id},
              {Bytes(root), /*binary=*/true},
              {line}})
      .status();
}

absl::Status Cosigner::CheckOthers() {
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN(uint64_t applied, store_->ReadApplied(snapshot.get()));
  if (applied <= considered_) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      PgRows rows,
      Exec(
          "SELECT tree_size, node_id, root FROM agreements_cosignatures "
          "WHERE tree_size > $1 AND tree_size <= $2 AND key_id <> $3 "
          "ORDER BY tree_size",
          {{absl::StrCat(considered_)}, {absl::StrCat(applied)}, {signer_.VerifierKey()}},
          /*binary_result=*/true));
  store::MerkleReader reader(store_, snapshot.get());
  uint64_t divergences = 0;
  for (const auto& row : rows.rows) {
    // Binary results: tree_size is an int8 in network order.
    uint64_t size = 0;
    if (!row[0].has_value() || row[0]->size() != 8) continue;
    for (unsigned char c : *row[0]) size = (size << 8) | c;
    ASSIGN_OR_RETURN(merkle::Hash own, reader.Root(size));
    if (row[2].value_or("") == Bytes(own)) {
      RETURN_IF_ERROR(Sign(size, own));
      continue;
    }
    ++divergences;
    logging::Error("another node's log tree differs from this node's",
                   {{"node", row[1].value_or("")},
                    {"tree_size", std::to_string(size)},
                    {"its_root", absl::Base64Escape(row[2].value_or(""))},
                    {"our_root", absl::Base64Escape(Bytes(own))}});
  }
  considered_ = applied;
  absl::MutexLock lock(&mu_);
  status_.divergences += divergences;
  return absl::OkStatus();
}

absl::Status Cosigner::Collect() {
  uint64_t current = 0;
  size_t current_signatures = 0;
  {
    absl::MutexLock lock(&mu_);
    current = status_.cosigned_size;
    current_signatures = status_.signatures;
  }
  // The latest size signed here and elsewhere (the current one again: a node's
  // co-signature may come after the note was built).
  ASSIGN_OR_RETURN(
      PgRows sizes,
      Exec(
          "SELECT tree_size, count(*) FROM agreements_cosignatures WHERE tree_size >= $1 "
          "GROUP BY tree_size HAVING count(*) >= 2 AND bool_or(key_id = $2) "
          "ORDER BY tree_size DESC LIMIT 1",
          {{absl::StrCat(current)}, {signer_.VerifierKey()}}));
  if (sizes.rows.empty()) return absl::OkStatus();
  const uint64_t size = ParseU64(sizes.rows[0][0]);
  if (size == current && ParseU64(sizes.rows[0][1]) <= current_signatures) {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(PgRows lines,
                   Exec("SELECT signature, root FROM agreements_cosignatures "
                        "WHERE tree_size = $1 ORDER BY key_id",
                        {{absl::StrCat(size)}}, /*binary_result=*/true));
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN(merkle::Hash root,
                   store::MerkleReader(store_, snapshot.get()).Root(size));
  note::Checkpoint checkpoint;
  checkpoint.origin = options_.origin;
  checkpoint.size = size;
  checkpoint.root = root;
  std::string note = note::CheckpointBody(checkpoint) + "\n";
  size_t signatures = 0;
  for (const auto& row : lines.rows) {
    // Only the lines over this node's own root: a diverging node's line is left out.
    if (row[1].value_or("") != Bytes(root)) continue;
    note += row[0].value_or("") + "\n";
    ++signatures;
  }
  absl::MutexLock lock(&mu_);
  note_ = std::move(note);
  status_.cosigned_size = size;
  status_.signatures = signatures;
  return absl::OkStatus();
}

}  // namespace agreements::cluster
