// Security commands: whoami (the caller as the server authenticated it) and
// security-status (the server's access-control counters, security files and limits per
// caller).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "agreements/v1/security_service.pb.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

// "registrar (energy, transport)"; a registrar without sectors may write every sector.
std::string FormatRole(const v1::RoleGrant& grant) {
  if (!grant.sectors().empty()) {
    return absl::StrCat(grant.role(), " (", absl::StrJoin(grant.sectors(), ", "), ")");
  }
  if (grant.role() == "registrar") return absl::StrCat(grant.role(), " (every sector)");
  return grant.role();
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

// "0", or "3 (max_streams_per_principal 2, reserved_streams 1)".
template <typename Counts, typename Name>
std::string FormatCounts(int64_t total, const Counts& counts, Name name) {
  std::vector<std::string> parts;
  for (const auto& count : counts) {
    parts.push_back(absl::StrCat(name(count), " ", count.count()));
  }
  if (parts.empty()) return absl::StrCat(total);
  return absl::StrCat(total, " (", absl::StrJoin(parts, ", "), ")");
}

void AddStreamLimits(KeyValueBlock& block, const v1::StreamLimitStatus& streams) {
  block.Add("feed streams", absl::StrCat(streams.open_stream_count(), " open of ",
                                         streams.max_streams()));
  block.Add("streams per principal",
            streams.max_streams_per_principal() == 0
                ? "no limit"
                : absl::StrCat(streams.max_streams_per_principal(), " (admins exempt)"));
  block.Add("reserved streams",
            absl::StrCat(streams.reserved_streams(), " (for admins and auditors)"));
  int64_t refused = 0;
  for (const v1::StreamRefusalCount& refusal : streams.refusals()) {
    refused += refusal.count();
  }
  block.Add("streams refused", FormatCounts(refused, streams.refusals(),
                                            [](const v1::StreamRefusalCount& count) {
                                              return count.limit();
                                            }));
  block.Add("streams revoked", absl::StrCat(streams.revoked_stream_count()));
}

void AddReadWaits(KeyValueBlock& block, const v1::ReadWaitStatus& waits) {
  block.Add("reads waiting",
            absl::StrCat(waits.waiting_count(), " of ", waits.max_waits(), " (",
                         waits.max_waits_per_principal(), " per principal, ",
                         waits.reserved_waits(), " for admins and auditors)"));
  block.Add("reads refused", absl::StrCat(waits.refused_count()));
}

void AddCallLimits(KeyValueBlock& block, const v1::RateLimitStatus& rate,
                   const v1::AuthenticationFailureStatus& failures) {
  block.Add("rate limit", rate.calls_per_second() > 0
                              ? absl::StrCat(rate.calls_per_second(),
                                             " calls/s per principal, bursts of ",
                                             rate.burst(), " (admins exempt)")
                              : "off");
  block.Add(
      "rate-limited calls",
      FormatCounts(rate.rate_limited_call_count(), rate.rate_limited(),
                   [](const v1::RateLimitedCount& count) { return count.permission(); }));
  if (failures.failures() == 0) {
    block.Add("token failures", "never slow an address down");
  } else {
    block.Add("token failures",
              absl::StrCat(failures.failures(), " slow an address down (window ",
                           FormatDuration(failures.window()), ")"));
    block.Add("slowdown",
              absl::StrCat(FormatDuration(failures.slowdown()), ", doubling up to ",
                           FormatDuration(failures.max_slowdown())));
  }
  block.Add("slowed down",
            absl::StrCat(failures.slowed_peer_count(), " addresses now, ",
                         failures.slowdown_count(), " slowdowns, ",
                         failures.slowed_call_count(), " calls refused unchecked"));
}

void PrintWhoAmI(std::ostream& out, const v1::WhoAmIResponse& response) {
  KeyValueBlock block;
  block.Add("principal", response.principal().empty() ? "-" : response.principal());
  block.Add("method", EnumName(response.method()));
  std::vector<std::string> roles;
  for (const v1::RoleGrant& grant : response.roles()) roles.push_back(FormatRole(grant));
  block.Add("roles", roles.empty() ? "(none)" : absl::StrJoin(roles, ", "));
  block.Add("permissions", response.permissions().empty()
                               ? "(none)"
                               : absl::StrJoin(response.permissions(), ", "));
  if (response.development_mode()) {
    block.Add("mode",
              "development mode: the server enforces no access control, every caller "
              "may do everything");
  }
  block.Print(out);
}

void PrintSecurityStatus(std::ostream& out, const v1::GetSecurityStatusResponse& status) {
  KeyValueBlock block;
  block.Add("development mode",
            status.development_mode() ? "yes (no access control)" : "no");
  block.Add("tls", YesNo(status.tls()));
  block.Add("client certificates",
            status.client_certificates().empty() ? "-" : status.client_certificates());
  block.Add("tokens", absl::StrCat(status.token_count()));
  block.Add("policy entries", absl::StrCat(status.policy_entry_count()));
  block.Add("reloads", absl::StrCat(status.reloads(), " succeeded, ",
                                    status.failed_reloads(), " failed"));
  block.Add("last reload error", status.last_reload_error());
  block.Print(out);

  out << "\nLimits per caller\n";
  KeyValueBlock limits;
  AddStreamLimits(limits, status.streams());
  AddCallLimits(limits, status.rate_limit(), status.authentication_failures());
  AddReadWaits(limits, status.read_waits());
  limits.Print(out);

  out << "\nDenials\n";
  if (status.denials().empty()) {
    out << "(none)\n";
  } else {
    Table denials({"permission", "count"});
    for (const v1::DenialCount& denial : status.denials()) {
      denials.AddRow({denial.permission(), absl::StrCat(denial.count())});
    }
    denials.Print(out);
  }

  out << "\nFiles\n";
  if (status.files().empty()) {
    out << "(none)\n";
  } else {
    Table files({"kind", "path", "loaded_at", "not_after"});
    for (const v1::SecurityFile& file : status.files()) {
      files.AddRow({file.kind(), file.path(), FormatTimestamp(file.loaded_at()),
                    FormatTimestamp(file.not_after())});
    }
    files.Print(out);
  }
}

absl::Status RunWhoAmI(Env& env) {
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::WhoAmIResponse response, client->WhoAmI(v1::WhoAmIRequest()));
  env.Print(response, [&] { PrintWhoAmI(env.out(), response); });
  return absl::OkStatus();
}

absl::Status RunSecurityStatus(Env& env) {
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::GetSecurityStatusResponse response,
                   client->GetSecurityStatus(v1::GetSecurityStatusRequest()));
  env.Print(response, [&] { PrintSecurityStatus(env.out(), response); });
  return absl::OkStatus();
}

}  // namespace

std::vector<CommandSpec> SecurityCommands() {
  std::vector<CommandSpec> commands;
  CommandSpec whoami;
  whoami.path = "whoami";
  whoami.summary = "the caller as the server authenticated it: principal, roles";
  whoami.details =
      "Prints the principal the server records as the actor of your commands, how it\n"
      "was authenticated (none, client_certificate, bearer_token), the roles granted\n"
      "(a registrar's with its sectors) and the permissions they give. Needs no\n"
      "permission. Credentials: --token / --token-file, or --tls-cert and --tls-key.";
  whoami.run = RunWhoAmI;
  commands.push_back(std::move(whoami));
  CommandSpec status;
  status.path = "security-status";
  status.summary =
      "access-control denials, security files and limits of the server (admin)";
  status.details =
      "Prints whether TLS and client certificates are on, the calls denied per missing\n"
      "permission (\"authentication\": rejected as UNAUTHENTICATED; \"actor\": tried to\n"
      "name their own actor), each security file the server re-reads on SIGHUP with\n"
      "when it was loaded and when its certificate expires, the reload counts with\n"
      "the last reload error, and the limits per caller: feed streams (open, refused "
      "per\n"
      "limit, ended by a reload), the request rate per principal with the calls it\n"
      "refused, and the addresses slowed down for unknown tokens. Needs the\n"
      "security.read permission (role admin).";
  status.run = RunSecurityStatus;
  commands.push_back(std::move(status));
  return commands;
}

}  // namespace agreements::cli
