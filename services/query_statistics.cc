// QueryService.GetStatistics: per sector and period, from the statistics view
// (store/statistics.h), counting only the levels the caller may see in each sector.
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "domain/sectors.h"
#include "domain/validation.h"
#include "services/query_service.h"
#include "store/view_reader.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;

absl::Status CheckStatistics(const v1::GetStatisticsRequest& request) {
  if (!request.sector().empty() && !domain::IsRegistrySector(request.sector())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sector: \"", request.sector(), "\" is not a registry sector (see ListSectors)"));
  }
  if (!request.party_id().empty() && !domain::IsValidId(request.party_id())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "party_id: must be 1 to 63 lowercase letters, digits, '-' or '.' (got \"",
        request.party_id(), "\")"));
  }
  if (!v1::StatisticsPeriod_IsValid(request.period())) {
    return absl::InvalidArgumentError(
        absl::StrCat("period: unknown value ", request.period()));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* QueryService::GetStatistics(
    grpc::CallbackServerContext* context, const v1::GetStatisticsRequest* request,
    v1::GetStatisticsResponse* response) {
  return Serve(
      context, request->min_position(), request->consistency(),
      [this, request, response](const Caller& caller) -> absl::StatusOr<Read> {
        RETURN_IF_ERROR(CheckStatistics(*request));
        return Read([this, request, response, clearance = ClearanceOf(caller)] {
          ASSIGN_OR_RETURN_GRPC(auto reader, store::ViewReader::Create(store_));
          const bool by_month = request->period() == v1::STATISTICS_PERIOD_MONTH;
          std::vector<std::string> sectors = {request->sector()};
          if (request->sector().empty()) sectors = domain::RegistrySectors();
          for (const std::string& sector : sectors) {
            ASSIGN_OR_RETURN_GRPC(
                *response->add_sectors(),
                reader->GetStatistics(sector, request->party_id(),
                                      clearance.SeesNonPublicIn(sector), by_month));
          }
          response->set_position(reader->position());
          return grpc::Status::OK;
        });
      });
}

}  // namespace agreements::services
