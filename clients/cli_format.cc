#include "clients/cli_format.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/cli_values.h"
#include "common/date_format.h"

namespace agreements::cli {
namespace {

// Longest title shown in a list; the full title is in `get`.
constexpr size_t kListTitleWidth = 60;
// Key/value blocks wrap values so that lines stay within this width where possible.
constexpr size_t kKeyValueLineWidth = 100;
constexpr size_t kMinValueWidth = 40;

size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

// Cuts `text` to at most `width` code points, marking the cut with "...".
std::string Truncate(const std::string& text, size_t width) {
  if (DisplayWidth(text) <= width) return text;
  size_t kept = 0;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (kept == width - 3) break;
      ++kept;
    }
  }
  return text.substr(0, i) + "...";
}

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

std::string Roles(const v1::Participation& participation) {
  std::vector<std::string> roles;
  for (int role : participation.roles()) {
    roles.push_back(EnumName(static_cast<v1::ParticipantRole>(role)));
  }
  return OrDash(absl::StrJoin(roles, ","));
}

std::string Revision(uint64_t revision, uint64_t last_position) {
  return absl::StrCat(revision, " (last position ", last_position, ")");
}

void PrintSection(std::ostream& out, absl::string_view title, const Table& table) {
  if (table.empty()) return;
  out << "\n" << title << "\n";
  table.Print(out);
}

std::string Count(int count) { return count == 0 ? "-" : absl::StrCat(count); }

std::string WithArticle(std::string text, const std::string& article) {
  if (!article.empty()) absl::StrAppend(&text, " (", article, ")");
  return text;
}

// "1y notice, end_of_calendar_year (art. 28)".
std::string FormatNoticeRule(const v1::NoticeRule& rule) {
  const v1::NoticeCounting counting = rule.counting() == v1::NOTICE_COUNTING_UNSPECIFIED
                                          ? v1::NOTICE_COUNTING_AFTER_RECEIPT
                                          : rule.counting();
  return WithArticle(
      absl::StrCat(FormatCalendarPeriod(rule.period()), " notice, ", EnumName(counting)),
      rule.article());
}

// "terminated by 60d notice, after_receipt; open to non-signatories (art. 45)"; "" when
// the treaty has no such clause.
std::string FormatProvisionalClause(const v1::ProvisionalApplicationClause& clause) {
  if (!clause.has_termination_notice() && !clause.open_to_non_signatories() &&
      clause.article().empty()) {
    return "";
  }
  std::string out =
      clause.has_termination_notice()
          ? absl::StrCat("terminated by ", FormatNoticeRule(clause.termination_notice()))
          : "terminated at once by notice";
  if (clause.open_to_non_signatories())
    absl::StrAppend(&out, "; open to non-signatories");
  return WithArticle(std::move(out), clause.article());
}

// "expires 2030-12-31" or "10y from entry into force", with renewal and article.
std::string FormatTerm(const v1::Term& term) {
  std::string out =
      term.expires_on().year() != 0
          ? absl::StrCat("expires ", FormatDate(term.expires_on()))
          : absl::StrCat(FormatCalendarPeriod(term.duration()), " from entry into force");
  if (term.renews_automatically()) {
    absl::StrAppend(&out, "; renews automatically");
    const bool renewal_set = term.renewal_period().years() != 0 ||
                             term.renewal_period().months() != 0 ||
                             term.renewal_period().days() != 0;
    if (renewal_set) {
      absl::StrAppend(&out, " for ", FormatCalendarPeriod(term.renewal_period()));
    }
    if (term.max_renewals() != 0) {
      absl::StrAppend(&out, ", at most ", term.max_renewals(), " times");
    }
  }
  return WithArticle(std::move(out), term.article());
}

std::string FormatUnts(const v1::Registration& r) {
  if (r.unts_volume() == 0) return "-";
  return r.unts_page() == 0
             ? absl::StrCat("vol. ", r.unts_volume())
             : absl::StrCat("vol. ", r.unts_volume(), ", p. ", r.unts_page());
}

void PrintPracticeSections(std::ostream& out, const v1::Agreement& a) {
  Table depositaries({"party", "designated", "article", "notifications"});
  for (const v1::Depositary& d : a.depositaries()) {
    depositaries.AddRow({d.party_id(), FormatDate(d.designated_on()), OrDash(d.article()),
                         absl::StrCat(d.notifications_size())});
  }
  PrintSection(out, "Depositaries", depositaries);

  Table registrations({"kind", "number", "date", "unts", "submitted by"});
  for (const v1::Registration& r : a.registrations()) {
    registrations.AddRow({EnumName(r.kind()), r.number(), FormatDate(r.date()),
                          FormatUnts(r), OrDash(r.submitted_by())});
  }
  PrintSection(out, "Registrations with the UN Secretariat", registrations);

  Table extensions({"agreed", "expires", "extending agreement", "position", "basis"});
  for (const v1::Extension& e : a.extensions()) {
    extensions.AddRow({FormatDate(e.agreed_on()), FormatDate(e.expires_on()),
                       OrDash(e.extending_agreement_id()), absl::StrCat(e.position()),
                       e.legal_basis()});
  }
  PrintSection(out, "Extensions", extensions);
}

}  // namespace

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(header_.size(), 0);
  for (size_t c = 0; c < header_.size(); ++c) widths[c] = DisplayWidth(header_[c]);
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  const auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size())
        line += std::string(widths[c] - DisplayWidth(row[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  std::vector<std::string> header;
  for (const std::string& cell : header_) header.push_back(absl::AsciiStrToUpper(cell));
  print_row(header);
  for (const auto& row : rows_) print_row(row);
}

void KeyValueBlock::Add(std::string key, std::string value) {
  if (value.empty()) return;
  lines_.emplace_back(std::move(key), std::move(value));
}

void KeyValueBlock::Print(std::ostream& out) const {
  size_t width = 0;
  for (const auto& [key, value] : lines_) width = std::max(width, key.size());
  const size_t indent = width + 2;
  const size_t value_width = kKeyValueLineWidth > indent + kMinValueWidth
                                 ? kKeyValueLineWidth - indent
                                 : kMinValueWidth;
  for (const auto& [key, value] : lines_) {
    out << key << std::string(indent - key.size(), ' ');
    // Long values (summaries) wrap at spaces; continuation lines align with the values.
    size_t column = 0;
    for (absl::string_view word : absl::StrSplit(value, ' ')) {
      const size_t word_width = DisplayWidth(word);
      if (column > 0 && column + 1 + word_width > value_width) {
        out << "\n" << std::string(indent, ' ');
        column = 0;
      } else if (column > 0) {
        out << ' ';
        ++column;
      }
      out << word;
      column += word_width;
    }
    out << "\n";
  }
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "-";
  const absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

std::string FormatDuration(const google::protobuf::Duration& duration) {
  return absl::FormatDuration(absl::Seconds(duration.seconds()) +
                              absl::Nanoseconds(duration.nanos()));
}

std::string FormatPositions(const v1::CommitResult& result) {
  if (result.first_position() == 0) return "-";
  if (result.first_position() == result.last_position()) {
    return absl::StrCat(result.first_position());
  }
  return absl::StrCat(result.first_position(), "-", result.last_position());
}

std::string PreferredText(
    const google::protobuf::RepeatedPtrField<v1::LocalizedText>& texts) {
  for (const v1::LocalizedText& text : texts) {
    if (text.language() == "en") return text.text();
  }
  return texts.empty() ? "" : texts[0].text();
}

void PrintAgreement(std::ostream& out, const v1::Agreement& a) {
  KeyValueBlock block;
  block.Add("id", a.id());
  block.Add("status", EnumName(a.status()));
  block.Add("designation", a.designation());
  block.Add("kind", EnumName(a.instrument_kind()));
  block.Add("legal nature", EnumName(a.legal_nature()));
  block.Add("arity", EnumName(a.arity()));
  block.Add("confidentiality", ConfidentialityName(a.confidentiality()));
  for (const v1::LocalizedText& title : a.titles()) {
    block.Add(absl::StrCat("title (", title.language(), ")"), title.text());
  }
  block.Add("place", a.place_of_conclusion());
  block.Add("sectors", absl::StrJoin(a.sectors(), ", "));
  std::vector<std::string> classifications;
  for (const v1::Classification& c : a.classifications()) {
    classifications.push_back(absl::StrCat(EnumName(c.scheme()), ":", c.code()));
  }
  block.Add("classifications", absl::StrJoin(classifications, ", "));
  // entered_into_force_on also holds when a non-binding instrument came into effect and
  // when a contract became active.
  const char* effective_label =
      a.legal_nature() == v1::LEGAL_NATURE_NON_BINDING_POLITICAL  ? "in effect from"
      : a.legal_nature() == v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW ? "active from"
                                                                  : "in force from";
  const std::pair<const char*, const v1::Date*> dates[] = {
      {"adopted on", &a.adopted_on()},
      {"opened for signature", &a.opened_for_signature_on()},
      {"signed on", &a.signed_on()},
      {"provisionally applied", &a.provisionally_applied_from()},
      {"provisional application ended", &a.provisional_application_ended_on()},
      {effective_label, &a.entered_into_force_on()},
      {"expires on", &a.expires_on()},
      {"ended on", &a.ended_on()}};
  for (const auto& [key, date] : dates) {
    if (date->year() != 0) block.Add(key, FormatDate(*date));
  }
  if (a.termination_ground() != v1::TERMINATION_GROUND_UNSPECIFIED) {
    block.Add("termination ground", EnumName(a.termination_ground()));
  }
  if (a.status_before_suspension() != v1::AGREEMENT_STATUS_UNSPECIFIED) {
    block.Add("status before suspension", EnumName(a.status_before_suspension()));
  }
  std::vector<std::string> identifiers;
  for (const v1::Identifier& identifier : a.identifiers()) {
    identifiers.push_back(absl::StrCat(identifier.scheme(), ":", identifier.value()));
  }
  block.Add("identifiers", absl::StrJoin(identifiers, ", "));
  if (a.has_withdrawal_clause()) {
    block.Add("withdrawal clause", FormatNoticeRule(a.withdrawal_clause()));
  }
  block.Add("provisional application clause",
            FormatProvisionalClause(a.provisional_application_clause()));
  if (a.has_term()) block.Add("term", FormatTerm(a.term()));
  block.Add("summary", a.summary());
  block.Add("revision", Revision(a.revision(), a.last_position()));
  block.Add("recorded", FormatTimestamp(a.create_time()));
  block.Add("updated", FormatTimestamp(a.update_time()));
  block.Print(out);

  Table participants({"party", "roles", "status", "signed", "signature", "consent",
                      "consented", "in force from", "left on", "prev periods",
                      "reservations"});
  for (const v1::Participation& p : a.participations()) {
    participants.AddRow({p.party_id(), Roles(p), EnumName(p.status()),
                         FormatDate(p.signature().date()), EnumName(p.signature().kind()),
                         EnumName(p.consent().means()),
                         FormatDate(p.consent().act_date()),
                         FormatDate(p.in_force_from()), FormatDate(p.left_on()),
                         Count(p.previous_periods_size()), Count(p.reservations_size())});
  }
  PrintSection(out, "Participants", participants);
  PrintPracticeSections(out, a);

  Table amounts({"id", "type", "value", "as of", "description"});
  for (const v1::Amount& amount : a.amounts()) {
    amounts.AddRow({amount.id(), EnumName(amount.type()), FormatMoney(amount.value()),
                    FormatDate(amount.as_of()), amount.description()});
  }
  PrintSection(out, "Amounts", amounts);

  Table relations({"type", "target", "note"});
  for (const v1::Relation& relation : a.relations()) {
    relations.AddRow(
        {EnumName(relation.type()), relation.target_agreement_id(), relation.note()});
  }
  PrintSection(out, "Relations", relations);

  Table documents({"title", "language", "media type", "sha256", "url"});
  for (const v1::DocumentReference& d : a.documents()) {
    documents.AddRow({d.title(), OrDash(d.language()), OrDash(d.media_type()),
                      OrDash(d.sha256()), d.url()});
  }
  PrintSection(out, "Documents", documents);

  Table amendments({"adopted", "effective", "amending agreement", "position", "summary"});
  for (const v1::Amendment& m : a.amendments()) {
    amendments.AddRow({FormatDate(m.adopted_on()), FormatDate(m.effective_date()),
                       OrDash(m.amending_agreement_id()), absl::StrCat(m.position()),
                       m.summary()});
  }
  PrintSection(out, "Amendments", amendments);
}

void PrintAgreementList(
    std::ostream& out,
    const google::protobuf::RepeatedPtrField<v1::Agreement>& agreements) {
  Table table({"id", "status", "kind", "signed_on", "sectors", "title"});
  for (const v1::Agreement& a : agreements) {
    table.AddRow({a.id(), EnumName(a.status()), EnumName(a.instrument_kind()),
                  FormatDate(a.signed_on()), OrDash(absl::StrJoin(a.sectors(), ",")),
                  Truncate(PreferredText(a.titles()), kListTitleWidth)});
  }
  table.Print(out);
}

void PrintAgreementListWide(
    std::ostream& out,
    const google::protobuf::RepeatedPtrField<v1::Agreement>& agreements) {
  Table table({"id", "status", "kind", "nature", "arity", "signed_on", "in_force_from",
               "parties", "sectors", "rev", "title"});
  for (const v1::Agreement& a : agreements) {
    std::vector<std::string> parties;
    for (const v1::Participation& p : a.participations()) parties.push_back(p.party_id());
    table.AddRow({a.id(), EnumName(a.status()), EnumName(a.instrument_kind()),
                  EnumName(a.legal_nature()), EnumName(a.arity()),
                  FormatDate(a.signed_on()), FormatDate(a.entered_into_force_on()),
                  OrDash(absl::StrJoin(parties, ",")),
                  OrDash(absl::StrJoin(a.sectors(), ",")), absl::StrCat(a.revision()),
                  PreferredText(a.titles())});
  }
  table.Print(out);
}

void PrintParty(std::ostream& out, const v1::Party& party) {
  KeyValueBlock block;
  block.Add("id", party.id());
  block.Add("type", EnumName(party.type()));
  block.Add("country", party.country_code());
  for (const v1::LocalizedText& name : party.names()) {
    block.Add(absl::StrCat("name (", name.language(), ")"), name.text());
  }
  for (const v1::Identifier& identifier : party.identifiers()) {
    block.Add("identifier", absl::StrCat(identifier.scheme(), ":", identifier.value()));
  }
  block.Add("controlled by", party.controlled_by());
  block.Add("former country", party.former_country_code());
  if (party.existed_from().year() != 0) {
    block.Add("existed from", FormatDate(party.existed_from()));
  }
  if (party.existed_until().year() != 0) {
    block.Add("existed until", FormatDate(party.existed_until()));
  }
  for (const v1::PartySuccession& predecessor : party.predecessors()) {
    std::string text = predecessor.party_id();
    if (predecessor.date().year() != 0) {
      absl::StrAppend(&text, " ", FormatDate(predecessor.date()));
    }
    if (predecessor.kind() != v1::SUCCESSION_KIND_UNSPECIFIED) {
      absl::StrAppend(&text, " (", EnumName(predecessor.kind()), ")");
    }
    block.Add("predecessor", text);
  }
  block.Add("revision", Revision(party.revision(), party.last_position()));
  block.Add("recorded", FormatTimestamp(party.create_time()));
  block.Add("updated", FormatTimestamp(party.update_time()));
  block.Print(out);
}

void PrintPartyAgreements(std::ostream& out,
                          const v1::ListPartyAgreementsOnResponse& response) {
  Table table({"agreement", "status", "party status", "in force for", "provisional",
               "period", "notes"});
  for (const v1::PartyAgreementStatus& a : response.agreements()) {
    const v1::ParticipantLegalStatus& p = a.participant();
    std::vector<std::string> notes;
    for (const v1::StatusNote& note : a.notes()) notes.push_back(note.text());
    table.AddRow({a.agreement_id(),
                  absl::StrCat(EnumName(a.agreement_status()),
                               a.uncertain() ? " (uncertain)" : ""),
                  EnumName(p.status()), p.in_force_for() ? "yes" : "no",
                  p.provisionally_applying() ? "yes" : "no", absl::StrCat(p.period()),
                  OrDash(absl::StrJoin(notes, "; "))});
  }
  table.Print(out);
  out << response.total_count()
      << (response.total_count() == 1 ? " agreement\n" : " agreements\n");
}

void PrintPartyList(std::ostream& out,
                    const google::protobuf::RepeatedPtrField<v1::Party>& parties) {
  Table table({"id", "type", "country", "controlled_by", "name"});
  for (const v1::Party& party : parties) {
    table.AddRow({party.id(), EnumName(party.type()), OrDash(party.country_code()),
                  OrDash(party.controlled_by()), PreferredText(party.names())});
  }
  table.Print(out);
}

void PrintPartyListWide(std::ostream& out,
                        const google::protobuf::RepeatedPtrField<v1::Party>& parties) {
  Table table({"id", "type", "country", "controlled_by", "former_country", "identifiers",
               "rev", "names"});
  for (const v1::Party& party : parties) {
    std::vector<std::string> identifiers;
    for (const v1::Identifier& identifier : party.identifiers()) {
      identifiers.push_back(absl::StrCat(identifier.scheme(), ":", identifier.value()));
    }
    std::vector<std::string> names;
    for (const v1::LocalizedText& name : party.names()) {
      names.push_back(absl::StrCat(name.language(), ":", name.text()));
    }
    table.AddRow({party.id(), EnumName(party.type()), OrDash(party.country_code()),
                  OrDash(party.controlled_by()), OrDash(party.former_country_code()),
                  OrDash(absl::StrJoin(identifiers, ",")), absl::StrCat(party.revision()),
                  absl::StrJoin(names, "; ")});
  }
  table.Print(out);
}

void PrintSectorSummary(std::ostream& out, const v1::SectorSummary& summary) {
  KeyValueBlock block;
  block.Add("sector", summary.sector());
  block.Add("agreements", absl::StrCat(summary.agreement_count()));
  block.Print(out);
  Table statuses({"status", "count"});
  for (const v1::StatusCount& count : summary.by_status()) {
    statuses.AddRow({EnumName(count.status()), absl::StrCat(count.count())});
  }
  PrintSection(out, "By status", statuses);
  Table kinds({"kind", "count"});
  for (const v1::KindCount& count : summary.by_kind()) {
    kinds.AddRow({EnumName(count.instrument_kind()), absl::StrCat(count.count())});
  }
  PrintSection(out, "By kind", kinds);
  Table totals({"type", "total", "agreements"});
  for (const v1::AmountTotal& total : summary.amount_totals()) {
    totals.AddRow({EnumName(total.type()), FormatMoney(total.total()),
                   absl::StrCat(total.agreement_count())});
  }
  PrintSection(out, "Amounts", totals);
  Table parties({"party", "agreements"});
  for (const v1::PartyCount& count : summary.top_parties()) {
    parties.AddRow({count.party_id(), absl::StrCat(count.agreement_count())});
  }
  PrintSection(out, "Top parties", parties);
}

void PrintSectors(std::ostream& out, const v1::ListSectorsResponse& sectors) {
  Table table({"sector", "agreements"});
  for (const v1::SectorInfo& sector : sectors.sectors()) {
    table.AddRow({sector.sector(), absl::StrCat(sector.agreement_count())});
  }
  table.Print(out);
}

void PrintStatistics(std::ostream& out, const v1::GetStatisticsResponse& statistics) {
  Table table({"sector", "period", "recorded", "signed", "in_force", "ended", "amounts"});
  for (const v1::SectorStatistics& sector : statistics.sectors()) {
    for (const v1::PeriodCounts& period : sector.periods()) {
      std::vector<std::string> amounts;
      for (const v1::Money& money : period.amounts())
        amounts.push_back(FormatMoney(money));
      table.AddRow(
          {sector.sector(), period.period(), absl::StrCat(period.recorded_count()),
           absl::StrCat(period.signed_count()),
           absl::StrCat(period.entered_into_force_count()),
           absl::StrCat(period.ended_count()), OrDash(absl::StrJoin(amounts, "; "))});
    }
  }
  table.Print(out);
}

void PrintCommitResult(std::ostream& out, const v1::CommitResult& result) {
  KeyValueBlock block;
  block.Add("result", result.replayed() ? "replayed (nothing appended)" : "committed");
  block.Add("positions", FormatPositions(result));
  block.Print(out);
  Table streams({"stream", "id", "revision", "positions"});
  for (const v1::StreamResult& stream : result.streams()) {
    streams.AddRow({EnumName(stream.stream_type()), stream.stream_id(),
                    absl::StrCat(stream.revision()),
                    OrDash(absl::StrJoin(stream.positions(), ","))});
  }
  PrintSection(out, "Streams", streams);
}

}  // namespace agreements::cli
