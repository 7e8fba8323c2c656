// The Salesforce connector (REST API v60.0): SOQL with nextRecordsUrl paging ordered by
// SystemModstamp for changes, sObject collections of 200 in input order for writes and reads
// by id, upsert by external id, the replication endpoints (/updated, /deleted), and
// OpportunityContactRole or lookup fields for associations. See docs/runtime.md.
#pragma once

#include <memory>
#include <string>

#include "connectors/api_session.h"
#include "connectors/chunked_calls.h"
#include "connectors/connector.h"
#include "connectors/feed_writes.h"
#include "connectors/worker_thread.h"

namespace syncline::connectors {

struct SalesforceConfig {
  SessionOptions session;  // base_url: the instance URL, or empty to use the token's
  std::string api_version = "v60.0";
  int collection_size = 200;       // sObject collections records/ids per call
  int in_clause_size = 100;        // values per SOQL IN (...)
  int transient_item_retries = 2;  // re-sends of items that failed with a server error
  int64_t deleted_window_days = 15;
};

class SalesforceConnector final : public Connector {
 public:
  explicit SalesforceConnector(SalesforceConfig config);

  std::variant<schema::Object, Error> Describe(const std::string& object) override;
  Error ReadChanges(const std::string& object, const Watermark& since,
                    const std::vector<std::string>& fields, const PageCallback& on_page) override;
  Error ReadDeletions(const std::string& object, const Watermark& since, std::vector<Deletion>* out,
                      Watermark* next) override;
  Error ReadByIds(const std::string& object, const std::vector<std::string>& ids,
                  const std::vector<std::string>& fields, std::vector<Record>* out) override;
  Error FindByField(const std::string& object, const std::string& field,
                    const std::vector<std::string>& values, const std::vector<std::string>& fields,
                    std::vector<Record>* out) override;
  std::vector<WriteResult> Write(const std::string& object, WriteKind kind,
                                 const std::vector<WriteItem>& items,
                                 const WriteOptions& options = {}) override;
  std::vector<WriteResult> Delete(const std::string& object,
                                  const std::vector<std::string>& ids) override;
  Error ListMembers(const std::string& list_id, std::vector<std::string>* out) override;
  Error AddListMembers(const std::string& list_id, const std::vector<std::string>& ids) override;
  Error RemoveListMembers(const std::string& list_id, const std::vector<std::string>& ids) override;
  Error ReadOwners(std::vector<Owner>* out) override;
  Error ReadAssociations(const std::string& from, const std::string& to,
                         const std::vector<std::string>& from_ids,
                         std::vector<Association>* out) override;
  std::vector<WriteResult> Associate(const std::string& from, const std::string& to,
                                     const std::vector<Association>& links) override;
  bool AllowErrorRetries() override {
    const auto& limits = session_.limits();
    return !limits || limits->AllowErrorRetries(session_.clock().NowMs());
  }
  int64_t calls_made() const override { return session_.calls_made(); }
  Error suspended() const override { return session_.suspended(); }

  // Replication: ids changed between two instants (minute granularity, 30 days back at most);
  // *latest_covered is where the next call should start.
  Error ReadUpdatedIds(const std::string& object, int64_t start_ms, int64_t end_ms,
                       std::vector<std::string>* ids, int64_t* latest_covered);
  // Runs a SOQL query through every page (query, or queryAll with deleted rows).
  Error Query(const std::string& soql, const std::function<bool(nlohmann::json&)>& on_row,
              bool all_rows = false);

  ApiSession& session() { return session_; }
  // Quotes a value for SOQL ('it''s' is wrong in SOQL: backslash escapes).
  static std::string SoqlQuote(const std::string& value);

 private:
  std::string Data() const { return "/services/data/" + config_.api_version; }
  Record ToRecord(const std::string& object, nlohmann::json row) const;
  void WriteOnce(const std::string& object, WriteKind kind, const std::vector<WriteItem>& items,
                 const std::vector<size_t>& which, const WriteOptions& options,
                 std::vector<WriteResult>& out, int depth);

  SalesforceConfig config_;
  ApiSession session_;
  FeedWrites feed_writes_;  // see ReadChanges
  ChunkedCalls chunks_;     // a read's chunks, or a write's batches, out at once
  // The feed's read-ahead thread; last, so it is joined before what its tasks use is gone.
  WorkerThread read_ahead_;
};

}  // namespace syncline::connectors
