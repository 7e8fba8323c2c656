// The HubSpot connector: CRM objects v3 (search with a sliding window on the last-modified
// property past the 10,000-result cap, batch endpoints of 100, archived listings for deletes),
// properties and custom-object schemas for describe, lists v3 memberships and associations v4.
// See docs/runtime.md for the policies.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/api_session.h"
#include "connectors/chunked_calls.h"
#include "connectors/connector.h"
#include "connectors/feed_writes.h"
#include "connectors/window_cursor.h"
#include "connectors/worker_thread.h"

namespace syncline::connectors {

struct HubSpotConfig {
  SessionOptions session;   // base_url "https://api.hubapi.com" or a sandbox; vendor is forced
  int batch_size = 100;     // batch read/create/update/upsert/archive inputs per call
  int search_page = 200;    // search `limit`
  int search_cap = 10'000;  // results one search can page through
  // A keyset search from a timestamp some of whose records were read already leaves those out
  // with `hs_object_id NOT_IN [...]` when there are at most this many (0: never; they are then
  // read again and dropped). Records are often written many to a millisecond (a batch), so
  // without it each search re-reads up to a batch of records it has already handed out.
  int search_exclude_max = 100;
  int list_page = 100;
  int membership_page = 250;
  int association_batch = 1'000;
  int transient_item_retries = 2;  // re-sends of batch items that failed with a server error
};

class HubSpotConnector final : public Connector {
 public:
  explicit HubSpotConnector(HubSpotConfig config);

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
  Error FindListId(const std::string& object, const std::string& name, std::string* id) override;
  Error ListMembers(const std::string& list_id, std::vector<std::string>* out) override;
  Error AddListMembers(const std::string& list_id, const std::vector<std::string>& ids) override;
  Error RemoveListMembers(const std::string& list_id, const std::vector<std::string>& ids) override;
  Error EnsureProperty(const std::string& object, const nlohmann::json& definition,
                       bool* created) override;
  Error ReadOwners(std::vector<Owner>* out) override;
  Error ReadAssociations(const std::string& from, const std::string& to,
                         const std::vector<std::string>& from_ids,
                         std::vector<Association>* out) override;
  std::vector<WriteResult> Associate(const std::string& from, const std::string& to,
                                     const std::vector<Association>& links) override;
  int64_t calls_made() const override { return session_.calls_made(); }
  Error suspended() const override { return session_.suspended(); }

  ApiSession& session() { return session_; }
  // "lastmodifieddate" for contacts, "hs_lastmodifieddate" otherwise.
  static std::string LastModifiedProperty(const std::string& object);
  // The object type id the lists API addresses an object by: 0-1, 0-2, 0-3, 0-5 for the
  // standard objects, and for a custom object its `2-…` id, read once from its schema.
  Error ObjectTypeId(const std::string& object, std::string* id);

 private:
  // One batch write call of at most batch_size items; splits on whole-batch 400/409 to find
  // the failing inputs; `out` is indexed like `items`.
  void WriteChunk(const std::string& object, WriteKind kind, const std::vector<WriteItem>& items,
                  const std::vector<size_t>& which, const WriteOptions& options,
                  std::vector<WriteResult>& out, int depth);
  Record ToRecord(const std::string& object, nlohmann::json j) const;
  // One keyset search of the change feed from `from` (see ReadChanges). Thread-safe.
  struct SearchPage {
    Error error;
    std::vector<Record> records;
    bool last = false;  // it held the rest of the feed
  };
  SearchPage SearchFrom(const std::string& object, const std::vector<std::string>& props,
                        const WindowCursor& from);

  HubSpotConfig config_;
  ApiSession session_;
  std::map<std::string, std::string> custom_type_ids_;  // custom object name -> 2-…
  FeedWrites feed_writes_;                              // see ReadChanges
  ChunkedCalls chunks_;  // a read's chunks, or a write's batches, out at once
  // The feed's read-ahead thread; last, so it is joined before what its tasks use is gone.
  WorkerThread read_ahead_;
};

// The object type id lists v3 addresses a standard object's lists by (contacts 0-1, companies
// 0-2, deals 0-3, tickets 0-5); any other name is returned as it is (HubSpotConnector::
// ObjectTypeId resolves custom objects).
std::string ListObjectTypeId(const std::string& object);

}  // namespace syncline::connectors
