// Maintenance commands: rebuild-view (the online rebuild of one view).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agreements/v1/admin_service.pb.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

absl::Status RunRebuildView(Env& env) {
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  v1::RebuildViewRequest request;
  request.set_family(env.args().positional()[0]);
  ASSIGN_OR_RETURN(v1::RebuildViewResponse response, client->RebuildView(request));
  env.Print(response, [&] {
    KeyValueBlock block;
    block.Add("families replaced", absl::StrJoin(response.families(), ", "));
    block.Add("at position", absl::StrCat(response.position()));
    block.Add("events replayed", absl::StrCat(response.events_replayed()));
    block.Add("keys written", absl::StrCat(response.keys_written()));
    block.Add("projection held", FormatDuration(response.projection_held()));
    block.Add("took", FormatDuration(response.duration()));
    block.Print(env.out());
  });
  return absl::OkStatus();
}

}  // namespace

std::vector<CommandSpec> AdminCommands() {
  std::vector<CommandSpec> commands;
  CommandSpec rebuild;
  rebuild.path = "rebuild-view";
  rebuild.args_usage = "FAMILY";
  rebuild.min_args = rebuild.max_args = 1;
  rebuild.summary = "rebuild one view from the log while the server runs (admin)";
  rebuild.details =
      "Replays the log into a new copy of the view FAMILY (agreements, agreement_index,\n"
      "parties, party_index, sector_counters, merkle or stream_map; a view's index "
      "comes\n"
      "with it) beside the one in use, then swaps it in: for a view added by an "
      "upgrade,\n"
      "or one `agreements-admin rebuild` found damaged. Appends and reads go on; reads\n"
      "that wait for the views wait at most the time the projection is held, printed\n"
      "at the end. Needs the server.admin permission. A large registry takes longer\n"
      "than the default --timeout: give one (e.g. --timeout 10m).";
  rebuild.run = RunRebuildView;
  commands.push_back(std::move(rebuild));
  return commands;
}

}  // namespace agreements::cli
