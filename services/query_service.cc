#include "services/query_service.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/error_info.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "domain/iso_codes.h"
#include "domain/sectors.h"
#include "domain/validation.h"
#include "services/page_token.h"
#include "store/projector.h"
#include "store/text_terms.h"
#include "store/view_reader.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;
namespace sv1 = ::agreements::storage::v1;

absl::StatusOr<size_t> PageSize(int32_t requested) {
  if (requested < 0) {
    return absl::InvalidArgumentError("page_size: must not be negative");
  }
  if (requested == 0) return size_t{QueryService::kDefaultPageSize};
  return static_cast<size_t>(std::min(requested, QueryService::kMaxPageSize));
}

template <typename Enum>
absl::Status CheckEnum(absl::string_view field, Enum value, bool (*is_valid)(int)) {
  if (is_valid(static_cast<int>(value))) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": unknown value ", static_cast<int>(value)));
}

absl::Status CheckDateRange(const v1::Date& from, const v1::Date& to) {
  if (domain::IsDateSet(from)) RETURN_IF_ERROR(domain::ValidateDate("signed_from", from));
  if (domain::IsDateSet(to)) RETURN_IF_ERROR(domain::ValidateDate("signed_to", to));
  if (domain::IsDateSet(from) && domain::IsDateSet(to) &&
      domain::CompareDates(from, to) > 0) {
    return absl::InvalidArgumentError("signed_from: must not be after signed_to");
  }
  return absl::OkStatus();
}

absl::Status CheckOptionalId(absl::string_view field, const std::string& id) {
  if (id.empty() || domain::IsValidId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": must be 1 to 63 lowercase letters, digits, '-' or '.' (got \"", id,
      "\")"));
}

absl::Status CheckSector(const std::string& sector, bool required) {
  if (sector.empty()) {
    return required ? absl::InvalidArgumentError("sector: required") : absl::OkStatus();
  }
  if (!domain::IsRegistrySector(sector)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sector: \"", sector, "\" is not a registry sector (see ListSectors)"));
  }
  return absl::OkStatus();
}

// The filters of ListAgreements added for treaty practice.
absl::Status CheckPracticeFilters(const v1::ListAgreementsRequest& request) {
  for (int i = 0; i < request.party_statuses_size(); ++i) {
    RETURN_IF_ERROR(CheckEnum(absl::StrCat("party_statuses[", i, "]"),
                              request.party_statuses(i),
                              v1::ParticipationStatus_IsValid));
    if (request.party_statuses(i) == v1::PARTICIPATION_STATUS_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "party_statuses[", i, "]: must not be PARTICIPATION_STATUS_UNSPECIFIED"));
    }
  }
  RETURN_IF_ERROR(CheckEnum("party_condition", request.party_condition(),
                            v1::PartyCondition_IsValid));
  if (request.party_id().empty() &&
      (request.party_statuses_size() > 0 ||
       request.party_condition() != v1::PARTY_CONDITION_UNSPECIFIED)) {
    return absl::InvalidArgumentError(
        "party_id: required with party_statuses or party_condition (whose standing?)");
  }
  return CheckOptionalId("depositary_id", request.depositary_id());
}

absl::Status CheckIdentifier(const v1::Identifier& identifier) {
  if (identifier.scheme().empty()) {
    return absl::InvalidArgumentError("identifier.scheme: required");
  }
  if (identifier.value().empty()) {
    return absl::InvalidArgumentError("identifier.value: required");
  }
  for (char c : identifier.scheme() + identifier.value()) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return absl::InvalidArgumentError(
          "identifier: must not contain control characters");
    }
  }
  return absl::OkStatus();
}

// Today's date (UTC): what "now" means for a participant's standing in lists.
v1::Date Today() {
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  v1::Date today;
  today.set_year(static_cast<int32_t>(day.year()));
  today.set_month(day.month());
  today.set_day(day.day());
  today.set_precision(v1::DATE_PRECISION_DAY);
  return today;
}

// order_by: a field name, optionally followed by " asc" or " desc" (AIP-132).
absl::StatusOr<char> ParseOrderBy(const std::string& order_by) {
  if (order_by.empty()) return 0;
  const std::vector<absl::string_view> words =
      absl::StrSplit(order_by, ' ', absl::SkipWhitespace());
  static const std::vector<std::pair<absl::string_view, char>> kFields = {
      {"signed_on", store::kOrderSigned},
      {"entered_into_force_on", store::kOrderInForce},
      {"create_time", store::kOrderRecorded},
      {"title", store::kOrderTitle}};
  for (const auto& [name, order] : kFields) {
    if (words.empty() || words[0] != name) continue;
    if (words.size() == 1 || (words.size() == 2 && words[1] == "asc")) return order;
    if (words.size() == 2 && words[1] == "desc") return absl::ascii_tolower(order);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "order_by: \"", order_by,
      "\" is not one of signed_on, entered_into_force_on, create_time, title, each "
      "optionally followed by \" desc\""));
}

absl::Status CheckQuery(const std::string& query) {
  if (query.size() > 1000) {
    return absl::InvalidArgumentError("query: at most 1000 bytes");
  }
  const std::vector<std::string> terms = store::TextTerms(query);
  if (!query.empty() && terms.empty()) {
    return absl::InvalidArgumentError(
        "query: has no word to search for (letters or digits, other than common words "
        "such as \"the\" or \"of\")");
  }
  if (terms.size() > 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("query: at most 8 words (got ", terms.size(), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckListAgreements(const v1::ListAgreementsRequest& request) {
  RETURN_IF_ERROR(CheckSector(request.sector(), /*required=*/false));
  RETURN_IF_ERROR(ParseOrderBy(request.order_by()).status());
  RETURN_IF_ERROR(CheckQuery(request.query()));
  RETURN_IF_ERROR(CheckEnum("status", request.status(), v1::AgreementStatus_IsValid));
  RETURN_IF_ERROR(CheckEnum("instrument_kind", request.instrument_kind(),
                            v1::InstrumentKind_IsValid));
  RETURN_IF_ERROR(CheckOptionalId("party_id", request.party_id()));
  RETURN_IF_ERROR(CheckDateRange(request.signed_from(), request.signed_to()));
  return CheckPracticeFilters(request);
}

store::AgreementFilter AgreementFilterOf(const v1::ListAgreementsRequest& request,
                                         domain::Clearance clearance) {
  store::AgreementFilter filter;
  filter.sector = request.sector();
  filter.status = request.status();
  filter.kind = request.instrument_kind();
  filter.party_id = request.party_id();
  filter.signed_from = request.signed_from();
  filter.signed_to = request.signed_to();
  for (int status : request.party_statuses()) {
    filter.party_statuses.push_back(static_cast<v1::ParticipationStatus>(status));
  }
  filter.party_condition = request.party_condition();
  filter.depositary_id = request.depositary_id();
  filter.registration_due = request.registration_due();
  filter.today = Today();
  filter.clearance = std::move(clearance);
  filter.terms = store::TextTerms(request.query());
  filter.order = ParseOrderBy(request.order_by()).value_or(0);
  return filter;
}

absl::Status CheckListParties(const v1::ListPartiesRequest& request) {
  RETURN_IF_ERROR(CheckEnum("type", request.type(), v1::PartyType_IsValid));
  if (!request.country_code().empty() && !domain::IsCountryCode(request.country_code()) &&
      !domain::IsFormerCountryCode(request.country_code())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "country_code: must be an ISO 3166-1 alpha-2 country code, or an ISO 3166-3 code "
        "of a former country, in upper case (got \"",
        request.country_code(), "\")"));
  }
  return absl::OkStatus();
}

}  // namespace

v1::SectorSummary SummarizeCounters(const std::string& sector,
                                    const sv1::SectorCounters& counters,
                                    size_t top_parties) {
  v1::SectorSummary summary;
  summary.set_sector(sector);
  summary.set_agreement_count(counters.agreement_count());
  std::vector<std::pair<int32_t, int64_t>> by_status(counters.by_status().begin(),
                                                     counters.by_status().end());
  std::sort(by_status.begin(), by_status.end());
  for (const auto& [status, count] : by_status) {
    auto* entry = summary.add_by_status();
    entry->set_status(static_cast<v1::AgreementStatus>(status));
    entry->set_count(count);
  }
  std::vector<std::pair<int32_t, int64_t>> by_kind(counters.by_kind().begin(),
                                                   counters.by_kind().end());
  std::sort(by_kind.begin(), by_kind.end());
  for (const auto& [kind, count] : by_kind) {
    auto* entry = summary.add_by_kind();
    entry->set_instrument_kind(static_cast<v1::InstrumentKind>(kind));
    entry->set_count(count);
  }
  // Keys are "<currency>/<type number>": order by currency, then type.
  std::vector<std::tuple<std::string, int, const sv1::AmountTotalRecord*>> totals;
  for (const auto& [key, record] : counters.amount_totals()) {
    std::pair<std::string, std::string> parts = absl::StrSplit(key, '/');
    int type = 0;
    if (!absl::SimpleAtoi(parts.second, &type)) continue;
    totals.emplace_back(parts.first, type, &record);
  }
  std::sort(totals.begin(), totals.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) <
           std::tie(std::get<0>(b), std::get<1>(b));
  });
  for (const auto& [currency, type, record] : totals) {
    auto* entry = summary.add_amount_totals();
    entry->set_type(static_cast<v1::AmountType>(type));
    *entry->mutable_total() = record->total();
    entry->set_agreement_count(record->agreement_count());
  }
  std::vector<std::pair<std::string, int64_t>> parties(counters.party_counts().begin(),
                                                       counters.party_counts().end());
  std::sort(parties.begin(), parties.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  for (size_t i = 0; i < parties.size() && i < top_parties; ++i) {
    auto* entry = summary.add_top_parties();
    entry->set_party_id(parties[i].first);
    entry->set_agreement_count(parties[i].second);
  }
  return summary;
}

QueryService::QueryService(const store::Store* store, const store::Committer* committer,
                           absl::Duration max_wait, PositionWaitOptions waits,
                           AccessControl* access, const PageTokenCodec* tokens)
    : store_(store),
      committer_(committer),
      max_wait_(max_wait),
      access_(access),
      tokens_(tokens),
      waiters_(
          committer->projection(),
          [projection = committer->projection()] { return projection->applied(); },
          [committer] { return committer->committed_position(); }, waits) {}

grpc::ServerUnaryReactor* QueryService::Serve(
    grpc::CallbackServerContext* context, uint64_t min_position,
    v1::ReadConsistency consistency,
    std::function<absl::StatusOr<Read>(const Caller& caller)> prepare) {
  // Every write acknowledged before this read arrived is at or before this position.
  if (consistency != v1::READ_CONSISTENCY_AVAILABLE) {
    min_position = std::max(min_position, committer_->committed_position());
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Caller> caller =
      access_->Authorize(*context, security::Permission::kRegistryRead);
  absl::StatusOr<Read> read =
      caller.ok() ? prepare(*caller) : absl::StatusOr<Read>(caller.status());
  if (!read.ok()) {
    reactor->Finish(ToGrpcStatus(read.status()));
    return reactor;
  }
  const absl::Time deadline =
      WaitDeadline(absl::Now(), max_wait_, absl::FromChrono(context->deadline()));
  absl::Status admitted = waiters_.Wait(
      caller->principal,
      security::Allows(caller->grants, security::Permission::kAuditRead), min_position,
      deadline, [reactor, read = *std::move(read)](absl::Status reached) {
        reactor->Finish(reached.ok() ? read() : ToGrpcStatus(reached));
      });
  if (!admitted.ok()) reactor->Finish(ToGrpcStatus(admitted));
  return reactor;
}

grpc::ServerUnaryReactor* QueryService::GetAgreement(
    grpc::CallbackServerContext* context, const v1::GetAgreementRequest* request,
    v1::GetAgreementResponse* response) {
  return Serve(
      context, request->min_position(), request->consistency(),
      [this, request, response](const Caller& caller) -> absl::StatusOr<Read> {
        if (request->agreement_id().empty()) {
          return absl::InvalidArgumentError("agreement_id: required");
        }
        return Read([this, request, response, clearance = ClearanceOf(caller)] {
          ASSIGN_OR_RETURN_GRPC(auto reader, store::ViewReader::Create(store_));
          // Clearance first, from the small visibility entry: a hidden agreement
          // costs what an absent one costs, and gets the same answer.
          ASSIGN_OR_RETURN_GRPC(bool sees,
                                reader->Sees(clearance, request->agreement_id()));
          if (!sees) {
            return ToGrpcStatus(errors::WithReason(
                absl::NotFoundError(absl::StrCat("agreement \"", request->agreement_id(),
                                                 "\" not found")),
                errors::kAgreementNotFound, {{"agreement_id", request->agreement_id()}}));
          }
          ASSIGN_OR_RETURN_GRPC(*response->mutable_agreement(),
                                reader->GetAgreement(request->agreement_id()));
          response->set_position(reader->position());
          return grpc::Status::OK;
        });
      });
}

grpc::ServerUnaryReactor* QueryService::LookupAgreement(
    grpc::CallbackServerContext* context, const v1::LookupAgreementRequest* request,
    v1::LookupAgreementResponse* response) {
  return Serve(context, request->min_position(), request->consistency(),
               [this, request, response](const Caller& caller) -> absl::StatusOr<Read> {
                 RETURN_IF_ERROR(CheckIdentifier(request->identifier()));
                 return Read([this, request, response, clearance = ClearanceOf(caller)] {
                   ASSIGN_OR_RETURN_GRPC(auto reader, store::ViewReader::Create(store_));
                   const absl::Status not_found = errors::WithReason(
                       absl::NotFoundError(absl::StrCat(
                           "no agreement has identifier ", request->identifier().scheme(),
                           ":", request->identifier().value())),
                       errors::kAgreementNotFound,
                       {{"identifier", absl::StrCat(request->identifier().scheme(), ":",
                                                    request->identifier().value())}});
                   auto id = reader->FindAgreementId(request->identifier());
                   if (!id.ok() && !absl::IsNotFound(id.status())) {
                     return ToGrpcStatus(id.status());
                   }
                   // An identifier nobody holds takes the same visibility seek as one
                   // held by an agreement the caller may not see, and the same answer.
                   ASSIGN_OR_RETURN_GRPC(
                       bool sees, reader->Sees(clearance, id.ok() ? *id : std::string()));
                   if (!id.ok() || !sees) return ToGrpcStatus(not_found);
                   ASSIGN_OR_RETURN_GRPC(*response->mutable_agreement(),
                                         reader->GetAgreement(*id));
                   response->set_position(reader->position());
                   return grpc::Status::OK;
                 });
               });
}

grpc::ServerUnaryReactor* QueryService::ListAgreements(
    grpc::CallbackServerContext* context, const v1::ListAgreementsRequest* request,
    v1::ListAgreementsResponse* response) {
  return Serve(context, request->min_position(), request->consistency(),
               [this, request, response](const Caller& caller) -> absl::StatusOr<Read> {
                 RETURN_IF_ERROR(CheckListAgreements(*request));
                 ASSIGN_OR_RETURN(size_t page_size, PageSize(request->page_size()));
                 const domain::Clearance clearance = ClearanceOf(caller);
                 std::string owner = TokenOwner(caller.principal, clearance);
                 v1::ListAgreementsRequest filters = *request;
                 filters.clear_page_size();
                 filters.clear_page_token();
                 filters.clear_min_position();
                 filters.clear_consistency();
                 filters.clear_consistency();
                 ASSIGN_OR_RETURN(std::string after,
                                  tokens_->Decode(owner, filters, request->page_token()));
                 return Read([this, response, page_size, owner = std::move(owner),
                              filters = std::move(filters), after = std::move(after),
                              filter = AgreementFilterOf(*request, clearance)] {
                   ASSIGN_OR_RETURN_GRPC(auto reader, store::ViewReader::Create(store_));
                   ASSIGN_OR_RETURN_GRPC(
                       auto page, reader->ListAgreements(filter, after, page_size));
                   for (auto& agreement : page.items) {
                     *response->add_agreements() = std::move(agreement);
                   }
                   if (!page.next_after.empty()) {
                     response->set_next_page_token(
                         tokens_->Encode(owner, filters, page.next_after));
                   }
                   response->set_position(reader->position());
                   return grpc::Status::OK;
                 });
               });
}

grpc::ServerUnaryReactor* QueryService::GetSectorSummary(
    grpc::CallbackServerContext* context, const v1::GetSectorSummaryRequest* request,
    v1::GetSectorSummaryResponse* response) {
  return Serve(
      context, request->min_position(), request->consistency(),
      [this, request, response](const Caller& caller) -> absl::StatusOr<Read> {
        RETURN_IF_ERROR(CheckSector(request->sector(), /*required=*/true));
        if (request->top_parties() < 0 || request->top_parties() > 100) {
          return absl::InvalidArgumentError("top_parties: must be 0 to 100");
        }
        const size_t top = request->top_parties() == 0 ? 10 : request->top_parties();
        const bool non_public = ClearanceOf(caller).SeesNonPublicIn(request->sector());
        return Read([this, request, response, top, non_public] {
          ASSIGN_OR_RETURN_GRPC(auto reader, store::ViewReader::Create(store_));
          ASSIGN_OR_RETURN_GRPC(auto counters,
                                reader->GetSectorCounters(request->sector(), non_public));
          *response->mutable_summary() =
              SummarizeCounters(request->sector(), counters, top);
          response->set_position(reader->position());
          return grpc::Status::OK;
        });
      });
}

grpc::ServerUnaryReactor* QueryService::ListSectors(grpc::CallbackServerContext* context,
                                                    const v1::ListSectorsRequest* request,
                                                    v1::ListSectorsResponse* response) {
  return Serve(context, request->min_position(), request->consistency(),
               [this, response](const Caller& caller) -> absl::StatusOr<Read> {
                 return Read([this, response, clearance = ClearanceOf(caller)] {
                   ASSIGN_OR_RETURN_GRPC(auto reader, store::ViewReader::Create(store_));
                   for (const auto& sector : domain::RegistrySectors()) {
                     ASSIGN_OR_RETURN_GRPC(
                         auto counters, reader->GetSectorCounters(
                                            sector, clearance.SeesNonPublicIn(sector)));
                     auto* info = response->add_sectors();
                     info->set_sector(sector);
                     info->set_agreement_count(counters.agreement_count());
                   }
                   response->set_position(reader->position());
                   return grpc::Status::OK;
                 });
               });
}

grpc::ServerUnaryReactor* QueryService::GetParty(grpc::CallbackServerContext* context,
                                                 const v1::GetPartyRequest* request,
                                                 v1::GetPartyResponse* response) {
  return Serve(context, request->min_position(), request->consistency(),
               [this, request, response](const Caller&) -> absl::StatusOr<Read> {
                 if (request->party_id().empty()) {
                   return absl::InvalidArgumentError("party_id: required");
                 }
                 return Read([this, request, response] {
                   ASSIGN_OR_RETURN_GRPC(auto reader, store::ViewReader::Create(store_));
                   ASSIGN_OR_RETURN_GRPC(*response->mutable_party(),
                                         reader->GetParty(request->party_id()));
                   response->set_position(reader->position());
                   return grpc::Status::OK;
                 });
               });
}

grpc::ServerUnaryReactor* QueryService::ListParties(grpc::CallbackServerContext* context,
                                                    const v1::ListPartiesRequest* request,
                                                    v1::ListPartiesResponse* response) {
  return Serve(
      context, request->min_position(), request->consistency(),
      [this, request, response](const Caller& caller) -> absl::StatusOr<Read> {
        RETURN_IF_ERROR(CheckListParties(*request));
        ASSIGN_OR_RETURN(size_t page_size, PageSize(request->page_size()));
        std::string owner = TokenOwner(caller.principal, ClearanceOf(caller));
        v1::ListPartiesRequest filters = *request;
        filters.clear_page_size();
        filters.clear_page_token();
        filters.clear_min_position();
        ASSIGN_OR_RETURN(std::string after,
                         tokens_->Decode(owner, filters, request->page_token()));
        store::PartyFilter filter;
        filter.type = request->type();
        filter.country_code = request->country_code();
        return Read([this, response, page_size, owner = std::move(owner),
                     filters = std::move(filters), after = std::move(after), filter] {
          ASSIGN_OR_RETURN_GRPC(auto reader, store::ViewReader::Create(store_));
          ASSIGN_OR_RETURN_GRPC(auto page, reader->ListParties(filter, after, page_size));
          for (auto& party : page.items) *response->add_parties() = std::move(party);
          if (!page.next_after.empty()) {
            response->set_next_page_token(
                tokens_->Encode(owner, filters, page.next_after));
          }
          response->set_position(reader->position());
          return grpc::Status::OK;
        });
      });
}

}  // namespace agreements::services
