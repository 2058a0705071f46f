// Security commands: whoami (the caller as the server authenticated it) and
// security-status (the server's access-control counters and security files).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
  status.summary = "access-control denials and security files of the server (admin)";
  status.details =
      "Prints whether TLS and client certificates are on, the calls denied per missing\n"
      "permission (\"authentication\": rejected as UNAUTHENTICATED; \"actor\": tried to\n"
      "name their own actor), each security file the server re-reads on SIGHUP with\n"
      "when it was loaded and when its certificate expires, and the reload counts with\n"
      "the last reload error. Needs the security.read permission (role admin).";
  status.run = RunSecurityStatus;
  commands.push_back(std::move(status));
  return commands;
}

}  // namespace agreements::cli
